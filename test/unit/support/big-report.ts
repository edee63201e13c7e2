// A large, deterministic report for size checks, the browser test and bench/html-render.ts: `total`
// results between the workloads of `namespaces` namespaces (10 workloads each) and a few outside hosts,
// with realistic text (details, reproduce commands, deciding policies). Seeded, so every run is the same.
import { REPORT_SCHEMA_VERSION, summarize, type Report, type Result, type Status } from '../../../src/verdict/model.ts';

/** A small linear congruential generator: the same sequence on every machine. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PORTS = [['80', 'TCP'], ['443', 'HTTPS'], ['5432', 'TCP'], ['6379', 'TCP'], ['8080', 'HTTP'], ['53', 'DNS'], ['8125', 'UDP']] as const;
const HOSTS = ['198.51.100.10', 'api.partner.example', '203.0.113.0/24'];

function statusFor(x: number): Status {
  return x < 0.02 ? 'leak' : x < 0.05 ? 'broken' : x < 0.1 ? 'inconclusive' : 'pass';
}

function result(i: number, random: () => number, namespaces: number): Result {
  const pick = (n: number): number => Math.floor(random() * n);
  const srcNs = `team-${String(pick(namespaces)).padStart(2, '0')}`;
  const outside = random() < 0.05;
  const dstNs = `team-${String(pick(namespaces)).padStart(2, '0')}`;
  const [port, protocol] = PORTS[pick(PORTS.length)] ?? PORTS[0];
  const status = statusFor(random());
  const expect = status === 'leak' || (status !== 'broken' && random() < 0.5) ? 'deny' : 'allow';
  const observed = status === 'inconclusive' ? 'unknown' : (status === 'pass') === (expect === 'allow') ? 'allowed' : 'denied';
  const source = `svc-${pick(10)}`;
  const destination = outside ? (HOSTS[pick(HOSTS.length)] ?? 'host') : `svc-${pick(10)}`;
  const name = `${srcNs}/${source} ${expect === 'allow' ? 'reaches' : 'must not reach'} ${outside ? destination : `${dstNs}/${destination}`} on ${port} (#${i})`;
  return {
    name,
    expectation: name,
    suite: `suite-${srcNs}`,
    location: `suites/${srcNs}.yaml:${10 + (i % 300)}:7`,
    source,
    destination,
    sourceNamespace: srcNs,
    ...(outside ? {} : { destinationNamespace: dstNs }),
    port,
    protocol,
    expect,
    observed,
    outcome: observed === 'allowed' ? 'connected' : observed === 'denied' ? 'timeout' : 'not-run',
    status,
    durationMs: Math.round(random() * 2000),
    attempts: 2,
    detail: status === 'pass' ? '' : `${observed === 'allowed' ? 'TCP handshake completed' : 'no answer within 2 s'} from 10.0.${pick(255)}.${pick(255)}:${port}; the target was shown alive by a readiness probe`,
    ...(status === 'inconclusive' ? { decideBy: `add a readiness probe on port ${port} to ${dstNs}/${destination}` } : {}),
    reproduce: `kubectl run netprobe-repro -n ${srcNs} --rm -i --restart=Never --image=ghcr.io/netprobe-dev/probe:0.1.0 -l app=${source} -- netprobe-agent tcp 10.0.${pick(255)}.${pick(255)}:${port} --timeout 2s`,
    tags: ['generated', srcNs],
    predicted: expect === 'allow' ? 'allowed' : 'denied',
    policies: [`${srcNs}/default-deny-all`, `${srcNs}/${source}-egress`, `${dstNs}/${destination}-ingress`],
  };
}

/**
 * `total` results; the first is always a leak `team-00/svc-0 -> team-01/svc-1:5432/TCP`, so a test can
 * look for one known edge.
 */
export function bigReport(total = 1000, namespaces = 50, seed = 42): Report {
  const random = seeded(seed);
  const results = Array.from({ length: total }, (_, i) => result(i, random, namespaces));
  const first = results[0];
  if (first !== undefined) {
    Object.assign(first, { name: 'the known leak', expectation: 'the known leak', source: 'svc-0', sourceNamespace: 'team-00', destination: 'svc-1', destinationNamespace: 'team-01', port: '5432', protocol: 'TCP', expect: 'deny', observed: 'allowed', outcome: 'connected', status: 'leak', detail: 'TCP handshake to 10.0.1.1:5432 completed in 3 ms', policies: ['team-01/svc-1-ingress'] });
    delete first.decideBy;
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: { id: 'run-big', command: 'netprobe run suites/', startedAt: '2026-12-01T10:00:00.000Z', finishedAt: '2026-12-01T10:01:30.000Z', cluster: 'https://127.0.0.1:6443', context: 'bench' },
    summary: summarize(results),
    results,
  };
}
