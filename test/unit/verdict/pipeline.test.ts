// The pure engine end to end: a suite file through the real loader, a fake cluster and a fake network,
// the plan, and the verdicts the proof asks for (a leak, a broken path, an inconclusive deny
// against a target that does not exist, UDP allowed and denied, and the passes).
import { expect } from 'chai';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { PlannedProbe } from '../../../src/plan/types.ts';
import type { ProbeObservation } from '../../../src/probe/types.ts';
import { expandSuites, loadSuites } from '../../../src/suite/index.ts';
import { judge } from '../../../src/verdict/judge.ts';
import { summarize, exitCodeFor } from '../../../src/verdict/model.ts';
import { pod, service, snapshot } from '../support/world.ts';

const FIXTURE = new URL('../../fixtures/engine/shop.yaml', import.meta.url).pathname;

const cluster = snapshot(['web', 'api', 'data', 'kube-system'], {
  pods: [
    pod('web', 'frontend-1', { app: 'frontend', 'pod-template-hash': 'a' }, { ips: ['10.0.1.1'] }),
    pod('web', 'frontend-2', { app: 'frontend', 'pod-template-hash': 'a' }, { ips: ['10.0.1.2'] }),
    pod('api', 'api-1', { app: 'api' }, { ips: ['10.0.2.1'], containerPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9000, protocol: 'UDP' }], readinessPorts: [{ port: 'http', kind: 'httpGet' }] }),
    pod('api', 'scraper-1', { app: 'scraper' }, { ips: ['10.0.2.9'] }),
    pod('data', 'postgres-0', { app: 'postgres', 'statefulset.kubernetes.io/pod-name': 'postgres-0' }, { ips: ['10.0.3.1'], readinessPorts: [{ port: 5432, kind: 'tcpSocket' }] }),
    pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, { ips: ['10.0.9.1'] }),
  ],
  services: [service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }], '10.96.0.10')],
});

/** The network the policies make: which source may reach which address (the OR-form rule leaks frontend -> db). */
function network(p: PlannedProbe): ProbeObservation['outcome'] {
  const from = p.sourceKey.split('|')[0];
  const to = `${p.target.host}:${p.target.port}/${p.target.kind}`;
  const open: Record<string, string[]> = {
    web: ['10.0.2.1:8080/tcp', '10.0.3.1:5432/tcp'],
    api: ['10.0.9.1:53/udp', '10.96.0.10:53/udp', '10.0.2.1:9000/udp'],
  };
  return (open[from!] ?? []).includes(to) ? 'connected' : 'timeout';
}

describe('engine pipeline: suite file -> plan -> verdicts', () => {
  it('finds the leak, the broken path and the unprovable deny, and passes the rest', async () => {
    const loaded = await loadSuites([FIXTURE]);
    expect(loaded.diagnostics).to.deep.equal([]);
    const cases = expandSuites(loaded.suites);
    const plan = buildPlan(cases, cluster);

    // Two frontend replicas are one identity; api, scraper: one each.
    expect(plan.sources.map((s) => `${s.namespace}/${s.labels.app}`).sort()).to.deep.equal(['api/api', 'api/scraper', 'web/frontend']);
    expect(plan.servers).to.deep.equal([]);

    const observations = new Map(plan.probes.map((p) => [p.id, { probeId: p.id, outcome: network(p), detail: '', ms: 5, attempts: 1 } satisfies ProbeObservation]));
    const results = judge({ plan, observations });
    const status = Object.fromEntries(results.map((r) => [r.name, r.status]));
    expect(status).to.deep.equal({
      'frontend reaches the api': 'pass',
      'api reaches the database': 'broken',
      'frontend must not reach the database': 'leak',
      'nobody reaches the ghost': 'inconclusive',
      'api resolves names': 'pass',
      'frontend cannot use the api\'s metrics port over UDP': 'pass',
      'the scraper reads the api\'s metrics over UDP': 'pass',
    });
    for (const r of results.filter((x) => x.status !== 'pass')) expect(r.detail, r.name).to.not.equal('');
    expect(results.find((r) => r.name === 'nobody reaches the ghost')!.detail).to.contain('no pod in data matches app=ghost');

    const summary = summarize(results);
    expect(summary).to.deep.equal({ total: 7, pass: 4, leak: 1, broken: 1, inconclusive: 1 });
    expect(exitCodeFor(summary)).to.equal(1);
  });

  it('without the scraper\'s connection nothing proves the UDP port alive: the UDP deny is inconclusive', async () => {
    const cases = expandSuites((await loadSuites([FIXTURE])).suites).filter((c) => !c.id.startsWith('the scraper'));
    const plan = buildPlan(cases, cluster);
    const observations = new Map(plan.probes.map((p) => [p.id, { probeId: p.id, outcome: network(p), detail: '', ms: 5, attempts: 1 } satisfies ProbeObservation]));
    const udpDeny = judge({ plan, observations }).find((r) => r.name.startsWith('frontend cannot use'))!;
    expect(udpDeny.status).to.equal('inconclusive');
  });
});
