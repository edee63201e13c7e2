// The wire format between netprobe and netprobe-agent, checked against the agent's own definition
// (probes/agent/batch.go): the batch it accepts (unknown keys are rejected, limits enforced) and the
// result lines it prints.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { PlannedProbe, ProbeTarget } from '../../../src/plan/types.ts';
import { agentSpec, parseAgentOutput, type AgentSpec } from '../../../src/probe/agent.ts';

const BATCH_GO = readFileSync(new URL('../../../probes/agent/batch.go', import.meta.url), 'utf8');

/** The json keys of a Go struct in batch.go. */
function goJsonKeys(struct: string): Set<string> {
  const body = BATCH_GO.match(new RegExp(`type ${struct} struct \\{([\\s\\S]*?)\\n\\}`))?.[1];
  if (!body) throw new Error(`struct ${struct} not found in batch.go`);
  return new Set([...body.matchAll(/json:"([^,"]+)/g)].map((m) => m[1]!));
}

function goConst(name: string): number {
  const m = BATCH_GO.match(new RegExp(`\\b${name}\\s*=\\s*(\\d+)`));
  if (!m) throw new Error(`const ${name} not found in batch.go`);
  return Number(m[1]);
}

function probe(target: Partial<ProbeTarget>, extra: Partial<PlannedProbe> = {}): PlannedProbe {
  return {
    id: 'case#0',
    caseId: 'case',
    sourceKey: 'shop|default|app=web',
    target: { kind: 'tcp', host: '10.1.0.1', port: 5432, route: 'pod', display: 'db', aliveKeys: [], ...target },
    timeoutMs: 2000,
    attempts: 2,
    ...extra,
  };
}

const spec = (p: PlannedProbe, ips = new Map<string, string>()): AgentSpec => {
  const s = agentSpec(p, ips);
  if (typeof s === 'string') throw new Error(s);
  return s;
};

describe('agent batch: what netprobe sends', () => {
  const SPEC_KEYS = goJsonKeys('Spec');

  it('reads the agent\'s Spec definition (sanity)', () => {
    expect([...SPEC_KEYS]).to.include.members(['id', 'kind', 'host', 'port', 'timeoutMs', 'attempts', 'url', 'name', 'server']);
  });

  it('tcp, udp and sctp probes name host and port', () => {
    for (const kind of ['tcp', 'udp', 'sctp'] as const) {
      expect(spec(probe({ kind }))).to.deep.equal({ id: 'case#0', kind, host: '10.1.0.1', port: 5432, timeoutMs: 2000, attempts: 2 });
    }
  });

  it('http probes carry an absolute URL, the method, headers when any, and skip certificate checks', () => {
    const s = spec(probe({ kind: 'http', scheme: 'https', port: 8443, path: '/v1/x?y=1', method: 'POST', headers: { 'X-A': 'b' } }));
    expect(s).to.deep.equal({ id: 'case#0', kind: 'http', timeoutMs: 2000, attempts: 2, url: 'https://10.1.0.1:8443/v1/x?y=1', method: 'POST', headers: { 'X-A': 'b' }, insecure: true });
    const plain = spec(probe({ kind: 'http', scheme: 'http', port: 80, path: '/', method: 'GET', headers: {} }));
    expect(plain.url).to.equal('http://10.1.0.1:80/');
    expect(plain).to.not.have.property('headers');
    expect(plain).to.not.have.property('host');
  });

  it('dns probes name the question and the server as host:port', () => {
    const s = spec(probe({ kind: 'dns', port: 53, dnsName: 'db.shop.svc.cluster.local' }));
    expect(s).to.deep.equal({ id: 'case#0', kind: 'dns', timeoutMs: 2000, attempts: 2, name: 'db.shop.svc.cluster.local', server: '10.1.0.1:53' });
  });

  it('IPv6 addresses are bracketed wherever a host:port is written', () => {
    expect(spec(probe({ kind: 'http', host: 'fd00::7', port: 8080, path: '/' })).url).to.equal('http://[fd00::7]:8080/');
    expect(spec(probe({ kind: 'dns', host: 'fd00::a', port: 53 })).server).to.equal('[fd00::a]:53');
    expect(spec(probe({ kind: 'tcp', host: 'fd00::7' })).host).to.equal('fd00::7');
  });

  it('an echo server target takes its pod IP once known, and says so when the server never started', () => {
    const p = probe({ host: undefined, serverKey: 'shop|default|app=ghost', route: 'server' });
    expect(spec(p, new Map([['shop|default|app=ghost', '10.1.0.50']])).host).to.equal('10.1.0.50');
    const missing = agentSpec(p, new Map());
    expect(missing).to.be.a('string').and.match(/echo server/);
  });

  it('uses only keys the agent knows (it rejects unknown ones)', () => {
    const targets: Partial<ProbeTarget>[] = [
      { kind: 'tcp' },
      { kind: 'udp' },
      { kind: 'sctp' },
      { kind: 'http', scheme: 'https', path: '/', method: 'PUT', headers: { a: 'b' } },
      { kind: 'dns', dnsName: 'x.example' },
    ];
    for (const t of targets) {
      for (const key of Object.keys(spec(probe(t)))) expect(SPEC_KEYS.has(key), `${t.kind}: ${key}`).to.equal(true);
    }
  });

  it('stays within the agent\'s limits for every timeout and attempts a valid suite allows (0 < timeoutSeconds <= 600, attempts 1-20)', () => {
    const maxTimeout = goConst('maxTimeoutMs');
    const maxAttempts = goConst('maxAttempts');
    for (const timeoutMs of [0, 1, 2000, 120_000, 300_000, 600_000]) {
      for (const attempts of [1, 20]) {
        const s = spec(probe({}, { timeoutMs, attempts }));
        // The agent rejects the whole batch when one probe is out of bounds; 0 would silently mean its default.
        expect(s.timeoutMs, `timeoutMs ${timeoutMs}`).to.be.within(1, maxTimeout);
        expect(s.attempts).to.be.within(1, maxAttempts);
      }
    }
    expect(spec(probe({}, { timeoutMs: 1500 })).timeoutMs).to.equal(1500);
  });
});

describe('agent output: what netprobe reads back', () => {
  const RESULT_KEYS = goJsonKeys('Result');

  it('reads the agent\'s Result definition (sanity)', () => {
    expect([...RESULT_KEYS]).to.include.members(['id', 'outcome', 'detail', 'ms', 'attempts', 'httpStatus', 'addresses']);
  });

  it('parses one observation per result line, attempts counted from the list', () => {
    const out = [
      '{"id":"a#0","kind":"tcp","outcome":"connected","detail":"","ms":3,"attempts":["timeout","connected"],"remote":"10.1.0.1:5432"}',
      '{"id":"a#1","kind":"tcp","outcome":"timeout","detail":"no answer before the deadline","ms":4002,"attempts":["timeout","timeout"]}',
      '{"id":"a#2","kind":"http","outcome":"connected","detail":"HTTP 403 Forbidden","ms":9,"attempts":["connected"],"httpStatus":403,"addresses":["10.1.0.7"]}',
    ].join('\n');
    expect(parseAgentOutput(out)).to.deep.equal([
      { probeId: 'a#0', outcome: 'connected', detail: '', ms: 3, attempts: 2, remote: '10.1.0.1' },
      { probeId: 'a#1', outcome: 'timeout', detail: 'no answer before the deadline', ms: 4002, attempts: 2 },
      { probeId: 'a#2', outcome: 'connected', detail: 'HTTP 403 Forbidden', ms: 9, attempts: 1, httpStatus: 403, addresses: ['10.1.0.7'] },
    ]);
  });

  it('keeps the address a probe went to, without its port (IPv6 too)', () => {
    const [v6] = parseAgentOutput('{"id":"x","kind":"tcp","outcome":"timeout","detail":"","ms":1,"attempts":["timeout"],"remote":"[fd00::1]:443"}');
    expect(v6!.remote).to.equal('fd00::1');
  });

  it('knows every outcome the agent can print', () => {
    for (const outcome of ['connected', 'refused', 'unreachable', 'timeout', 'dns-failure', 'error']) {
      const [o] = parseAgentOutput(JSON.stringify({ id: 'x', kind: 'tcp', outcome, detail: '', ms: 1, attempts: [outcome] }));
      expect(o!.outcome).to.equal(outcome);
    }
  });

  it('an outcome it does not know is an error (never a network verdict)', () => {
    const [o] = parseAgentOutput('{"id":"x","kind":"tcp","outcome":"blocked","detail":"?","ms":1,"attempts":["blocked"]}');
    expect(o!.outcome).to.equal('error');
    const [n] = parseAgentOutput('{"id":"x","kind":"tcp","outcome":"not-run","detail":"?","ms":1,"attempts":[]}');
    expect(n!.outcome).to.equal('error');
  });

  it('ignores lines that are not results: logs, broken JSON, lines without id or outcome, and an httpStatus of 0', () => {
    const out = [
      'netprobe-agent: starting',
      '',
      '{"id":"x","kind":"tcp"',
      '{"kind":"tcp","outcome":"connected"}',
      '{"id":"y"}',
      '{"id":"z","kind":"http","outcome":"timeout","detail":"d","ms":1,"attempts":["timeout"],"httpStatus":0}\r',
    ].join('\n');
    const parsed = parseAgentOutput(out);
    expect(parsed).to.have.length(1);
    expect(parsed[0]).to.deep.equal({ probeId: 'z', outcome: 'timeout', detail: 'd', ms: 1, attempts: 1 });
  });

  it('reads who answered, the ICMP error and its sender, the DNS rcode and the protocol spoken (issues 10, 11)', () => {
    for (const key of ['answeredBy', 'icmp', 'icmpFrom', 'rcode', 'spoke']) expect(RESULT_KEYS.has(key), key).to.equal(true);
    const out = [
      '{"id":"a","kind":"tcp","outcome":"refused","detail":"ICMP","ms":1,"attempts":["refused"],"answeredBy":"network","icmp":"port-unreachable","icmpFrom":"10.244.0.1"}',
      '{"id":"b","kind":"dns","outcome":"connected","detail":"NXDOMAIN","ms":1,"attempts":["connected"],"answeredBy":"target","rcode":"NXDOMAIN"}',
      '{"id":"c","kind":"udp","outcome":"connected","detail":"reply","ms":1,"attempts":["connected"],"answeredBy":"target","spoke":"dns"}',
      '{"id":"d","kind":"tcp","outcome":"error","detail":"ENETUNREACH","ms":0,"attempts":["error"],"answeredBy":"local"}',
      '{"id":"e","kind":"tcp","outcome":"timeout","detail":"t","ms":1,"attempts":["timeout"],"answeredBy":"someone","icmp":""}',
    ].join('\n');
    const [a, b, c, d, e] = parseAgentOutput(out);
    expect(a).to.include({ answeredBy: 'network', icmp: 'port-unreachable', icmpFrom: '10.244.0.1' });
    expect(b).to.include({ outcome: 'connected', answeredBy: 'target', rcode: 'NXDOMAIN' });
    expect(c).to.include({ spoke: 'dns' });
    expect(d).to.include({ outcome: 'error', answeredBy: 'local' });
    expect(e).to.not.have.any.keys('answeredBy', 'icmp');
  });
});
