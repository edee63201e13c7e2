// The judge, from the spec (issue 4, Judge; issue 2, results model; issues 10 and 11, evidence): allow
// passes only on a connection (or the expected HTTP status); deny passes only on an answer from the
// network (a timeout, a router's unreachable, a refusal) AND once the target is shown alive, or on a
// rejection by an enforcement point on the path; errors of the probe pod's own stack, closed ports and
// UDP silence from targets not known to answer decide nothing; one success on a deny is a leak; errors, DNS failures and probes that did not run are
// inconclusive, never pass; an allow that fails is broken; a case takes its worst probe
// (leak > broken > inconclusive > pass); a case with unprobeable parts is never a plain pass.
import { expect } from 'chai';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { Plan } from '../../../src/plan/types.ts';
import type { ProbeObservation } from '../../../src/probe/types.ts';
import { judge } from '../../../src/verdict/judge.ts';
import type { Outcome } from '../../../src/probe/types.ts';
import type { Result, Status } from '../../../src/verdict/model.ts';
import { casesOf, oneCase, pod, service, snapshot } from '../support/world.ts';

const WEB = `{namespace: shop, podSelector: {matchLabels: {app: web}}}`;
const DB = `{namespace: shop, podSelector: {matchLabels: {app: db}}}`;
const web = () => pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.100'] });
/** The db pod; `alive` gives it a kubelet readiness probe on 5432 (proof that something listens). */
const db = (alive: boolean, ip = '10.1.0.1') => pod('shop', `db-${ip}`, { app: 'db', ip }, { ips: [ip], readinessPorts: alive ? [{ port: 5432, kind: 'tcpSocket' }] : [] });

function obs(probeId: string, outcome: Outcome, extra: Partial<ProbeObservation> = {}): ProbeObservation {
  return { probeId, outcome, detail: `${outcome} detail`, ms: 12, attempts: 1, ...extra };
}

function planFor(expectation: string, alive: boolean): Plan {
  return buildPlan([oneCase(expectation)], snapshot(['shop'], { pods: [web(), db(alive)] }));
}

/**
 * Judges a plan with one observation per probe (by probe index); a missing entry means the probe did not
 * run. Unless `silentSources`, every probe pod also got one reply elsewhere (a refused control probe to an
 * unrelated address, outside every case), as a healthy probe pod does: then its timeouts can count.
 */
function judgeWith(plan: Plan, outcomes: (Outcome | [Outcome, Partial<ProbeObservation>] | undefined)[], aliveExtra?: Record<string, string>, silentSources = false): Result[] {
  const observations = new Map<string, ProbeObservation>();
  plan.probes.forEach((p, i) => {
    const o = outcomes[i];
    if (o === undefined) return;
    const [outcome, extra] = Array.isArray(o) ? o : [o, {}];
    observations.set(p.id, obs(p.id, outcome, extra));
  });
  const controls = silentSources
    ? []
    : plan.sources.map((s, i) => ({ id: `control#${i}`, caseId: 'control', sourceKey: s.key, timeoutMs: 1000, attempts: 1, target: { kind: 'tcp' as const, host: '10.9.9.9', port: 9, route: 'host' as const, display: 'control', aliveKeys: [] } }));
  for (const c of controls) observations.set(c.id, obs(c.id, 'refused'));
  const withControls: Plan = { ...plan, probes: [...plan.probes, ...controls] };
  return judge({ plan: withControls, observations, ...(aliveExtra ? { aliveExtra } : {}), reproduce: (p) => `repro ${p.id}` });
}

describe('judge: the verdict matrix (every way a probe ends x allow/deny x target alive or not)', () => {
  type Row = { status: Status; observed: 'allowed' | 'denied' | 'unknown' };
  const pass = (observed: Row['observed']): Row => ({ status: 'pass', observed });
  const inconclusive: Row = { status: 'inconclusive', observed: 'unknown' };
  const broken: Row = { status: 'broken', observed: 'denied' };
  const leak: Row = { status: 'leak', observed: 'allowed' };
  // How a probe ends, as the agent reports it (answeredBy, icmp): only the network's answer is evidence.
  const ENDINGS: Record<string, [Outcome, Partial<ProbeObservation>]> = {
    connected: ['connected', { answeredBy: 'target' }],
    timeout: ['timeout', {}],
    'unreachable from a router (ICMP host-unreachable)': ['unreachable', { answeredBy: 'network', icmp: 'host-unreachable', icmpFrom: '10.1.0.254' }],
    'refused by a reset (closed port)': ['refused', { answeredBy: 'target' }],
    'rejected on the path (ICMP port-unreachable, not from the target)': ['refused', { answeredBy: 'network', icmp: 'port-unreachable', icmpFrom: '10.1.0.254' }],
    'rejected on the path (ICMP admin-prohibited)': ['unreachable', { answeredBy: 'network', icmp: 'admin-prohibited', icmpFrom: '10.1.0.254' }],
    'local error (ENETUNREACH)': ['error', { answeredBy: 'local' }],
    'unreachable made by the pod\'s own stack': ['unreachable', { answeredBy: 'local', icmp: 'host-unreachable', icmpFrom: '10.1.0.100' }],
    'refused, who answered not told': ['refused', {}],
    'unreachable, who answered not told': ['unreachable', {}],
    'dns-failure': ['dns-failure', {}],
    error: ['error', {}],
    'not-run': ['not-run', {}],
  };
  // What the rules require per ending: [allow+alive, allow+dead, deny+alive, deny+dead].
  const MATRIX: Record<keyof typeof ENDINGS, [Row, Row, Row, Row]> = {
    connected: [pass('allowed'), pass('allowed'), leak, leak],
    timeout: [broken, broken, pass('denied'), inconclusive],
    'unreachable from a router (ICMP host-unreachable)': [broken, broken, pass('denied'), inconclusive],
    'refused by a reset (closed port)': [broken, broken, inconclusive, inconclusive],
    'rejected on the path (ICMP port-unreachable, not from the target)': [broken, broken, pass('denied'), pass('denied')],
    'rejected on the path (ICMP admin-prohibited)': [broken, broken, pass('denied'), pass('denied')],
    'local error (ENETUNREACH)': [inconclusive, inconclusive, inconclusive, inconclusive],
    'unreachable made by the pod\'s own stack': [inconclusive, inconclusive, inconclusive, inconclusive],
    'refused, who answered not told': [broken, broken, pass('denied'), inconclusive],
    'unreachable, who answered not told': [broken, broken, pass('denied'), inconclusive],
    'dns-failure': [inconclusive, inconclusive, inconclusive, inconclusive],
    error: [inconclusive, inconclusive, inconclusive, inconclusive],
    'not-run': [inconclusive, inconclusive, inconclusive, inconclusive],
  };
  for (const [ending, rows] of Object.entries(MATRIX)) {
    const [outcome, extra] = ENDINGS[ending]!;
    const combos: [string, boolean, Row][] = [
      ['allow', true, rows[0]],
      ['allow', false, rows[1]],
      ['deny', true, rows[2]],
      ['deny', false, rows[3]],
    ];
    for (const [expectWord, alive, row] of combos) {
      it(`${ending}, expect ${expectWord}, target ${alive ? 'alive' : 'not shown alive'} -> ${row.status}`, () => {
        const plan = planFor(`{from: ${WEB}, to: ${DB}, port: 5432, expect: ${expectWord}}`, alive);
        expect(plan.probes).to.have.length(1);
        expect(Boolean(plan.alive['10.1.0.1:5432/tcp'])).to.equal(alive);
        // not-run: the agent never reported the probe.
        const [r] = judgeWith(plan, [outcome === 'not-run' ? undefined : [outcome, extra]]);
        expect(r!.status).to.equal(row.status);
        expect(r!.observed).to.equal(row.observed);
        expect(r!.outcome).to.equal(outcome);
        expect(r!.expect).to.equal(expectWord);
        // Issue 11: every inconclusive result names the step that would decide it, and only those do.
        if (row.status === 'inconclusive') expect(r!.decideBy).to.be.a('string').and.not.equal('');
        else expect(r!.decideBy).to.equal(undefined);
        if (row.status !== 'pass') {
          expect(r!.detail).to.be.a('string').and.not.equal('');
          expect(r!.reproduce).to.equal(`repro ${plan.probes[0]!.id}`);
        } else {
          expect(r!.reproduce).to.equal(undefined);
        }
      });
    }
  }

  it('a deny that is not proven says that blocked and dead look the same', () => {
    for (const outcome of ['timeout', 'refused', 'unreachable'] as const) {
      const [r] = judgeWith(planFor(`{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`, false), [outcome]);
      expect(r!.detail, outcome).to.match(/nothing shows the target is alive/);
    }
  });

  it('a proven deny says what proved the target alive', () => {
    const [r] = judgeWith(planFor(`{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`, true), ['timeout']);
    expect(r!.detail).to.match(/target alive: kubelet readiness probe/);
  });

  it('a timeout detail gives the timeout and the attempts made', () => {
    const plan = planFor(`{from: ${WEB}, to: ${DB}, port: 5432, timeoutSeconds: 1.5, attempts: 3, expect: allow}`, true);
    const [r] = judgeWith(plan, [['timeout', { attempts: 3, ms: 4700 }]]);
    expect(r!.detail).to.contain('1500 ms').and.to.contain('3 attempts');
    expect(r!.attempts).to.equal(3);
    expect(r!.durationMs).to.equal(4700);
  });
});

describe('judge: a probe pod that never got an answer proves nothing by its timeouts', () => {
  // Seen on a real cluster: a probe pod whose own network was dead timed out on everything; its denies
  // must not pass because other pods showed the targets alive.
  const deny = `{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`;
  const allow = `{from: ${WEB}, to: ${DB}, port: 5432, expect: allow}`;

  it('a deny that timed out from a silent probe pod is inconclusive, even with the target alive', () => {
    const [r] = judgeWith(planFor(deny, true), ['timeout'], undefined, true);
    expect(r!.status).to.equal('inconclusive');
    expect(r!.detail).to.match(/no probe from this probe pod got any answer/);
  });

  it('a refusal or an unreachable reply from the network is an answer: the probe pod can send and receive', () => {
    for (const outcome of ['refused', 'unreachable'] as const) {
      const fromNetwork = { answeredBy: 'network' as const, icmp: 'host-unreachable', icmpFrom: '10.1.0.254' };
      expect(judgeWith(planFor(deny, true), [[outcome, fromNetwork]], undefined, true)[0]!.status, outcome).to.equal('pass');
    }
  });

  it('an allow that timed out from a silent probe pod is still broken, and says the pod may be at fault', () => {
    const [r] = judgeWith(planFor(allow, true), ['timeout'], undefined, true);
    expect(r!.status).to.equal('broken');
    expect(r!.detail).to.match(/its own network may be down/);
  });

  it('one reply to any probe of the same pod is enough', () => {
    const cases = casesOf(`  expectations:
    - {name: first, from: ${WEB}, to: ${DB}, port: 5432, expect: deny}
    - {name: second, from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: api}}}, port: 8080, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [web(), pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.7'] }), db(true)] }));
    const rs = judgeWith(plan, ['timeout', 'refused'], undefined, true);
    expect(rs.map((r) => r.status)).to.deep.equal(['pass', 'inconclusive']);
  });
});

describe('judge: only the network\'s answer is evidence (issue 10)', () => {
  const deny = `{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`;
  const local: [Outcome, Partial<ProbeObservation>] = ['error', { answeredBy: 'local', detail: 'ENETUNREACH: no route to the target in the probe pod' }];

  it('a probe pod with no network (ENETUNREACH on everything) proves no deny, and says why', () => {
    const [r] = judgeWith(planFor(deny, true), [local], undefined, true);
    expect(r).to.include({ status: 'inconclusive', observed: 'unknown' });
    expect(r!.detail).to.contain('ENETUNREACH');
  });

  it('an error made by the pod\'s own stack is no answer: it does not let that pod\'s timeouts count', () => {
    const cases = casesOf(`  expectations:
    - {name: first, from: ${WEB}, to: ${DB}, port: 5432, expect: deny}
    - {name: second, from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: api}}}, port: 8080, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [web(), pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.7'] }), db(true)] }));
    // A neighbour that never answers ARP: EHOSTUNREACH made by the pod's own stack after ~3 s.
    const ownStack: [Outcome, Partial<ProbeObservation>] = ['unreachable', { answeredBy: 'local', icmp: 'host-unreachable', icmpFrom: '10.1.0.100' }];
    const rs = judgeWith(plan, ['timeout', ownStack], undefined, true);
    expect(rs.map((r) => r.status)).to.deep.equal(['inconclusive', 'inconclusive']);
    expect(rs[0]!.detail).to.match(/no probe from this probe pod got any answer/);
    expect(rs[1]!.detail).to.match(/own stack/);
  });

  it('a reset is a closed port: for a deny the policy was not what stopped it, even with the target alive', () => {
    const [r] = judgeWith(planFor(deny, true), [['refused', { answeredBy: 'target' }]]);
    expect(r).to.include({ status: 'inconclusive', outcome: 'refused' });
    expect(r!.detail).to.match(/closed port/).and.to.match(/policy was not what stopped it/);
    const [a] = judgeWith(planFor(`{from: ${WEB}, to: ${DB}, port: 5432, expect: allow}`, true), [['refused', { answeredBy: 'target' }]]);
    expect(a!.status).to.equal('broken');
    expect(a!.detail).to.match(/closed port/);
  });

  it('a rejection from the enforcement point proves a deny on its own and names who sent it', () => {
    const rejected: [Outcome, Partial<ProbeObservation>] = ['refused', { answeredBy: 'network', icmp: 'port-unreachable', icmpFrom: '10.1.0.254' }];
    const [r] = judgeWith(planFor(deny, false), [rejected]);
    expect(r).to.include({ status: 'pass', observed: 'denied' });
    expect(r!.detail).to.contain('10.1.0.254').and.to.contain('port-unreachable').and.to.contain('without the target shown alive');
    // With the target shown alive too, the detail gives both.
    const [both] = judgeWith(planFor(deny, true), [rejected]);
    expect(both!.detail).to.contain('port-unreachable').and.to.match(/target alive: kubelet readiness probe/);
  });

  it('a prohibited code in the target\'s own name (Cilium\'s policy-deny-response) is a rejection; UDP port-unreachable from the target is a closed port', () => {
    const udpDeny = planFor(`{from: ${WEB}, to: ${DB}, port: 5353, protocol: UDP, expect: deny}`, false);
    const filtered: [Outcome, Partial<ProbeObservation>] = ['unreachable', { answeredBy: 'target', icmp: 'admin-prohibited', icmpFrom: '10.1.0.1' }];
    expect(judgeWith(udpDeny, [filtered])[0]!.status).to.equal('pass');
    const closed: [Outcome, Partial<ProbeObservation>] = ['refused', { answeredBy: 'target', icmp: 'port-unreachable', icmpFrom: '10.1.0.1' }];
    const [r] = judgeWith(udpDeny, [closed]);
    expect(r!.status).to.equal('inconclusive');
    expect(r!.detail).to.match(/closed port/);
  });

  it('through a Service the same rejection still needs a live backend (kube-proxy rejects when there is none)', () => {
    const svc = service('shop', 'db', { app: 'db' }, [{ port: 5432, targetPort: 5432, protocol: 'TCP' }], '10.96.1.1');
    const rejected: [Outcome, Partial<ProbeObservation>] = ['refused', { answeredBy: 'network', icmp: 'port-unreachable', icmpFrom: '10.1.0.254' }];
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [web(), db(false)], services: [svc] }));
    expect(plan.probes.map((p) => p.target.route)).to.deep.equal(['pod', 'service']);
    const [r] = judgeWith(plan, [rejected, rejected]);
    expect(r!.status).to.equal('inconclusive');
  });

  it('a host or URL that may be a Service address (ClusterIP, NodePort, load balancer) also needs the target shown alive', () => {
    const rejected: [Outcome, Partial<ProbeObservation>] = ['refused', { answeredBy: 'network', icmp: 'port-unreachable', icmpFrom: '10.1.0.254' }];
    for (const to of ['{host: 10.96.0.50}, port: 5432', '{url: "http://db.shop.svc.cluster.local:5432/"}']) {
      const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${to}, expect: deny}`)], snapshot(['shop'], { pods: [web()] }));
      expect(plan.probes.map((p) => p.target.route), to).to.deep.equal(['host']);
      const [r] = judgeWith(plan, [rejected]);
      expect(r!.status, to).to.equal('inconclusive');
    }
  });
});

describe('judge: UDP silence is not a verdict unless the target is known to answer', () => {
  const udp = (expectWord: string, port = 5353) => planFor(`{from: ${WEB}, to: ${DB}, port: ${port}, protocol: UDP, expect: ${expectWord}}`, false);

  it('no reply from a target not known to answer the datagram: inconclusive for allow and deny alike', () => {
    for (const expectWord of ['allow', 'deny']) {
      const plan = udp(expectWord);
      expect(plan.probes[0]!.target.kind).to.equal('udp');
      const [r] = judgeWith(plan, ['timeout']);
      expect(r!.status, expectWord).to.equal('inconclusive');
      expect(r!.detail, expectWord).to.match(/nothing shows it answers the datagram/);
    }
  });

  it('no reply to a protocol netprobe spoke (DNS on 53) breaks an allow', () => {
    const [r] = judgeWith(udp('allow', 53), [['timeout', { spoke: 'dns' }]]);
    expect(r!.status).to.equal('broken');
    expect(r!.detail).to.contain('dns request');
  });

  it('a reply to the DNS query on UDP 53 passes an allow', () => {
    expect(judgeWith(udp('allow', 53), [['connected', { spoke: 'dns', answeredBy: 'target' }]])[0]!.status).to.equal('pass');
  });

  it('no reply from a netprobe echo server (it answers every datagram) breaks an allow and proves a deny', () => {
    const plan = (expectWord: string) => buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: ghost}}, synthetic: true}, port: 9000, protocol: UDP, expect: ${expectWord}}`)], snapshot(['shop'], { pods: [web()] }));
    expect(judgeWith(plan('allow'), ['timeout'])[0]!.status).to.equal('broken');
    expect(judgeWith(plan('deny'), ['timeout'])[0]!.status).to.equal('pass');
  });
});

describe('judge: what proves a target alive', () => {
  const deny = `{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`;

  it('a control probe (aliveExtra) on the same key', () => {
    const plan = planFor(deny, false);
    expect(judgeWith(plan, ['timeout'], { '10.1.0.1:5432/tcp': 'answers from outside' })[0]!.status).to.equal('pass');
    expect(judgeWith(plan, ['timeout'], { '10.1.0.1:5433/tcp': 'another port' })[0]!.status).to.equal('inconclusive');
    expect(judgeWith(plan, ['timeout'], { '10.1.0.1:5432/udp': 'another protocol' })[0]!.status).to.equal('inconclusive');
  });

  it('a control probe of a name vouches only for the address it reached: the pod may resolve the name elsewhere (split DNS)', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {host: api.example.test}, port: 443, expect: deny}`)], snapshot(['shop'], { pods: [web()] }));
    const key = plan.probes[0]!.target.aliveKeys[0]!;
    const judgeControl = (remote: string) => {
      const observations = new Map([[plan.probes[0]!.id, obs(plan.probes[0]!.id, 'timeout', { remote })], ['c', obs('c', 'refused', { answeredBy: 'target' })]]);
      const control = { id: 'c', caseId: 'control', sourceKey: plan.sources[0]!.key, timeoutMs: 1000, attempts: 1, target: { kind: 'tcp' as const, host: '10.9.9.9', port: 9, route: 'host' as const, display: 'c', aliveKeys: [] } };
      return judge({ plan: { ...plan, probes: [...plan.probes, control] }, observations, aliveExtra: { [key]: 'answers TCP 443 from netprobe\'s own machine' }, controlAddresses: { [key]: '203.0.113.7' } })[0]!;
    };
    expect(judgeControl('203.0.113.7').status).to.equal('pass');
    const elsewhere = judgeControl('10.20.0.9');
    expect(elsewhere.status).to.equal('inconclusive');
    expect(elsewhere.detail).to.contain('10.20.0.9').and.to.contain('203.0.113.7');
  });

  it('any probe in the run that connected to the same ip:port, from another source or case', () => {
    const cases = casesOf(`  expectations:
    - {name: api may, from: {namespace: shop, podSelector: {matchLabels: {app: api}}}, to: ${DB}, port: 5432, expect: allow}
    - {name: web must not, from: ${WEB}, to: ${DB}, port: 5432, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [web(), pod('shop', 'api-0', { app: 'api' }), db(false)] }));
    expect(plan.probes.map((p) => p.caseId)).to.deep.equal(['api may', 'web must not']);
    const byName = (rs: Result[]) => Object.fromEntries(rs.map((r) => [r.name, r.status]));
    expect(byName(judgeWith(plan, ['connected', 'timeout']))).to.deep.equal({ 'api may': 'pass', 'web must not': 'pass' });
    // A failed probe elsewhere proves nothing.
    expect(byName(judgeWith(plan, ['refused', 'timeout']))).to.deep.equal({ 'api may': 'broken', 'web must not': 'inconclusive' });
    expect(byName(judgeWith(plan, ['error', 'timeout']))).to.deep.equal({ 'api may': 'inconclusive', 'web must not': 'inconclusive' });
  });

  it('an HTTP answer (any status) from the same ip:port proves it alive', () => {
    const cases = casesOf(`  expectations:
    - {name: l7, from: {namespace: shop, podSelector: {matchLabels: {app: api}}}, to: ${DB}, port: 5432, protocol: HTTP, expect: allow}
    - {name: l4, from: ${WEB}, to: ${DB}, port: 5432, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [web(), pod('shop', 'api-0', { app: 'api' }), db(false)] }));
    for (const outcome of ['connected', 'http-status'] as const) {
      const rs = judgeWith(plan, [[outcome, { httpStatus: 503 }], 'timeout']);
      expect(rs[1]!.status, outcome).to.equal('pass');
    }
  });

  it('a netprobe echo server standing in for the target', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: ghost}}, synthetic: true}, port: 8080, expect: deny}`)], snapshot(['shop'], { pods: [web()] }));
    expect(plan.probes[0]!.target.route).to.equal('server');
    expect(judgeWith(plan, ['timeout'])[0]!.status).to.equal('pass');
    expect(judgeWith(plan, ['connected'])[0]!.status).to.equal('leak');
    // The server never started: the probe could not run, which is never a pass.
    expect(judgeWith(plan, [undefined])[0]!.status).to.equal('inconclusive');
  });

  it('a Service route is alive when one of its backends is', () => {
    const svc = service('shop', 'db', { app: 'db' }, [{ port: 5432, targetPort: 5432, protocol: 'TCP' }], '10.96.1.1');
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [web(), db(true)], services: [svc] }));
    expect(plan.probes.map((p) => p.target.route)).to.deep.equal(['pod', 'service']);
    const [r] = judgeWith(plan, ['timeout', 'timeout']);
    expect(r!.status).to.equal('pass');
  });
});

describe('judge: HTTP', () => {
  const api = () => pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.7'], readinessPorts: [{ port: 8080, kind: 'httpGet' }] });
  const httpPlan = (expectWord: string, check = '') =>
    buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: api}}}, port: 8080, protocol: HTTP${check}, expect: ${expectWord}}`)], snapshot(['shop'], { pods: [web(), api()] }));

  it('allow with an expected status passes only on that status', () => {
    const plan = httpPlan('allow', ', http: {path: /orders, expectStatus: 200}');
    const ok = judgeWith(plan, [['connected', { httpStatus: 200 }]])[0]!;
    expect(ok).to.include({ status: 'pass', observed: 'allowed', httpStatus: 200 });
    const no = judgeWith(plan, [['connected', { httpStatus: 403 }]])[0]!;
    expect(no).to.include({ status: 'broken', observed: 'denied', httpStatus: 403 });
    expect(no.detail).to.contain('403').and.to.contain('200');
    expect(judgeWith(plan, [['http-status', { httpStatus: 403 }]])[0]!.status).to.equal('broken');
  });

  it('deny with an expected status: that status is a leak, another is a rejection at L7', () => {
    const plan = httpPlan('deny', ', http: {path: /admin, expectStatus: 200}');
    expect(judgeWith(plan, [['connected', { httpStatus: 200 }]])[0]!).to.include({ status: 'leak', observed: 'allowed' });
    const rejected = judgeWith(plan, [['connected', { httpStatus: 403 }]])[0]!;
    expect(rejected).to.include({ status: 'pass', observed: 'denied' });
    expect(rejected.detail).to.match(/L7/);
  });

  it('without an expected status any HTTP answer is a connection', () => {
    expect(judgeWith(httpPlan('allow'), [['connected', { httpStatus: 500 }]])[0]!.status).to.equal('pass');
    expect(judgeWith(httpPlan('deny'), [['connected', { httpStatus: 403 }]])[0]!.status).to.equal('leak');
  });

  it('an HTTP exchange that failed after the TCP handshake is an error, not a block', () => {
    expect(judgeWith(httpPlan('deny'), ['error'])[0]!.status).to.equal('inconclusive');
    expect(judgeWith(httpPlan('allow'), ['error'])[0]!.status).to.equal('inconclusive');
  });
});

describe('judge: one result per case from all its probes', () => {
  /** A deny or allow case to two target identities, both alive. */
  const twoTargets = (expectWord: string) =>
    buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: 5432, expect: ${expectWord}}`)], snapshot(['shop'], { pods: [web(), db(true, '10.1.0.1'), db(true, '10.1.0.2')] }));

  it('one success among denied probes makes the case a leak, in any order', () => {
    const plan = twoTargets('deny');
    expect(plan.probes).to.have.length(2);
    for (const order of [['timeout', 'connected'], ['connected', 'timeout'], ['connected', 'error'], ['error', 'connected']] as Outcome[][]) {
      const [r] = judgeWith(plan, order);
      expect(r!.status, order.join()).to.equal('leak');
      expect(r!.observed).to.equal('allowed');
      expect(r!.outcome).to.equal('connected');
    }
  });

  it('severity: broken over inconclusive over pass for allow; leak over inconclusive over pass for deny', () => {
    const allow = twoTargets('allow');
    expect(judgeWith(allow, ['connected', 'timeout'])[0]!.status).to.equal('broken');
    expect(judgeWith(allow, ['error', 'timeout'])[0]!.status).to.equal('broken');
    expect(judgeWith(allow, ['connected', 'error'])[0]!.status).to.equal('inconclusive');
    expect(judgeWith(allow, ['connected', undefined])[0]!.status).to.equal('inconclusive');
    expect(judgeWith(allow, ['connected', 'connected'])[0]!.status).to.equal('pass');
    const deny = twoTargets('deny');
    expect(judgeWith(deny, ['timeout', 'dns-failure'])[0]!.status).to.equal('inconclusive');
    expect(judgeWith(deny, ['refused', 'timeout'])[0]!.status).to.equal('pass');
  });

  it('the result reports the worst probe: its outcome, its reproduce command, the longest time and most attempts', () => {
    const plan = twoTargets('deny');
    const [r] = judgeWith(plan, [['timeout', { ms: 4000, attempts: 2 }], ['connected', { ms: 3, attempts: 1 }]]);
    expect(r!.outcome).to.equal('connected');
    expect(r!.reproduce).to.equal(`repro ${plan.probes[1]!.id}`);
    expect(r!.durationMs).to.equal(4000);
    expect(r!.attempts).to.equal(2);
  });

  it('a case with unprobeable parts is never a plain pass, and says why', () => {
    const pods = [
      web(),
      pod('shop', 'db-v1', { app: 'db', v: '1' }, { ips: ['10.1.0.1'], containerPorts: [{ name: 'pg', port: 5432, protocol: 'TCP' }], readinessPorts: [{ port: 5432, kind: 'tcpSocket' }] }),
      pod('shop', 'db-v2', { app: 'db', v: '2' }, { ips: ['10.1.0.2'] }),
    ];
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: pg, expect: deny}`)], snapshot(['shop'], { pods }));
    expect(plan.probes).to.have.length(1);
    expect(plan.unprobeable).to.have.length(1);
    const [passed] = judgeWith(plan, ['timeout']);
    expect(passed).to.include({ status: 'inconclusive', observed: 'unknown' });
    expect(passed!.detail).to.contain('shop/db-v2');
    // A worse verdict stays, and the reason is added.
    const [leak] = judgeWith(plan, ['connected']);
    expect(leak!.status).to.equal('leak');
    expect(leak!.detail).to.contain('also:').and.to.contain('shop/db-v2');
  });

  it('a case with nothing to probe is inconclusive with the reason as detail', () => {
    const c = oneCase(`{from: ${WEB}, to: {namespace: gone, podSelector: {}}, port: 80, expect: deny}`);
    const plan = buildPlan([c], snapshot(['shop'], { pods: [web()] }));
    const [r] = judge({ plan, observations: new Map() });
    expect(r).to.include({ status: 'inconclusive', observed: 'unknown', outcome: 'not-run', durationMs: 0, attempts: 0 });
    expect(r!.detail).to.equal('destination: namespace gone does not exist');
    const empty: Plan = { ...plan, unprobeable: [] };
    expect(judge({ plan: empty, observations: new Map() })[0]!).to.include({ status: 'inconclusive' });
    expect(judge({ plan: empty, observations: new Map() })[0]!.detail).to.not.equal('');
  });

  it('a Service route and a pod route that disagree are named in the detail', () => {
    const svc = service('shop', 'db', { app: 'db' }, [{ port: 5432, targetPort: 5432, protocol: 'TCP' }], '10.96.1.1');
    for (const [expectWord, outcomes, status] of [
      ['allow', ['connected', 'timeout'], 'broken'],
      ['deny', ['timeout', 'connected'], 'leak'],
    ] as const) {
      const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 5432, expect: ${expectWord}}`)], snapshot(['shop'], { pods: [web(), db(true)], services: [svc] }));
      expect(plan.probes.map((p) => p.target.route)).to.deep.equal(['pod', 'service']);
      const [r] = judgeWith(plan, [...outcomes]);
      expect(r!.status, expectWord).to.equal(status);
      const connectedVia = outcomes[0] === 'connected' ? 'pod' : 'service';
      const notVia = connectedVia === 'pod' ? 'service' : 'pod';
      expect(r!.detail, expectWord).to.contain(`paths disagree: connected via ${connectedVia}, not via ${notVia}`);
    }
  });

  it('results follow the cases in order and carry the expectation\'s fields', () => {
    const cases = casesOf(`  expectations:
    - {name: first, from: ${WEB}, to: ${DB}, port: 5432, expect: allow, tags: [db, smoke]}
    - {name: second, from: ${WEB}, to: ${DB}, ports: [5432, 6000-6001], protocol: TCP, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [web(), db(true)] }));
    const rs = judge({ plan, observations: new Map(plan.probes.map((p) => [p.id, obs(p.id, 'connected')])) });
    expect(rs.map((r) => r.name)).to.deep.equal(cases.map((c) => c.id));
    expect(rs[0]).to.deep.include({
      name: 'first',
      expectation: 'first',
      suite: 'engine',
      location: 'engine.yaml:7:7',
      port: '5432',
      protocol: 'TCP',
      expect: 'allow',
      status: 'pass',
      tags: ['db', 'smoke'],
    });
    expect(rs[0]!.source).to.be.a('string').and.not.equal('');
    expect(rs[0]!.destination).to.be.a('string').and.not.equal('');
    expect(rs.map((r) => r.port)).to.deep.equal(['5432', '5432', '6000-6001']);
    expect(rs.slice(1).every((r) => r.status === 'leak' && r.expectation === 'second')).to.equal(true);
  });
});
