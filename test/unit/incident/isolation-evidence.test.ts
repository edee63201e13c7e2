// Issue 11: `netprobe isolation` uses the same evidence as `run` once the policies are read. The probe set
// for a namespace whose workloads declare no readiness probe, under the emergency policy (--keep dns):
// every egress deny to another namespace's pod gets a control probe from an identity the policies let
// reach it, and every isolated probe pod gets canaries instead of the fixed settle, which needs cluster
// DNS's pods among what is read (policyNamespaces).
import { expect } from 'chai';
import type { ClusterSnapshot } from '../../../src/model/cluster.ts';
import { loadGeneratedSuite } from '../../../src/incident/common.ts';
import { isolationPolicy } from '../../../src/incident/isolation-policy.ts';
import { isolationSuite, policyNamespaces } from '../../../src/incident/isolation-suite.ts';
import { planCanaries } from '../../../src/plan/canary.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { Plan } from '../../../src/plan/types.ts';
import { addVouchers } from '../../../src/plan/vouch.ts';
import { AdminPolicyEngine } from '../../../src/policy/admin.ts';
import { emptyManifestSet, type ManifestSet } from '../../../src/policy/manifests.ts';
import type { NetworkPolicy } from '../../../src/policy/types.ts';
import { policyEvidence } from '../../../src/run/vouchers.ts';
import { expandSuites } from '../../../src/suite/index.ts';
import type { ProbeObservation } from '../../../src/probe/types.ts';
import { judge } from '../../../src/verdict/judge.ts';
import { pod, service, snapshot } from '../support/world.ts';

const tcp8080 = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];

/** app (isolated): 3 workloads, no readiness probes; p1, p2: one each, no policy of their own. */
function world(): ClusterSnapshot {
  const s = snapshot(['app', 'p1', 'p2', 'kube-system'], {
    pods: [
      pod('app', 'web-0', { app: 'web' }, { ips: ['10.244.1.1'], containerPorts: tcp8080 }),
      pod('app', 'api-0', { app: 'api' }, { ips: ['10.244.1.2'], containerPorts: tcp8080 }),
      pod('app', 'db-0', { app: 'db' }, { ips: ['10.244.1.3'], containerPorts: tcp8080 }),
      pod('p1', 'shop-0', { app: 'shop' }, { ips: ['10.244.2.1'], containerPorts: tcp8080 }),
      pod('p2', 'report-0', { app: 'report' }, { ips: ['10.244.3.1'], containerPorts: tcp8080 }),
      pod('kube-system', 'coredns-0', { 'k8s-app': 'kube-dns' }, { ips: ['10.244.0.2'], containerPorts: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }),
    ],
    services: [service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }], '10.96.0.10')],
  });
  s.clusterDns = s.services[0]!;
  return s;
}

/** What readPolicyState gives for `namespaces`: every Namespace, and the pods and policies of those read. */
function manifestsRead(s: ClusterSnapshot, policies: NetworkPolicy[], namespaces: readonly string[]): ManifestSet {
  const m = emptyManifestSet();
  m.namespaces = s.namespaces.map((n) => ({ name: n.name, labels: n.labels }));
  m.pods = s.pods.filter((p) => namespaces.includes(p.namespace)).map((p) => ({ namespace: p.namespace, name: p.name, labels: p.labels, ips: p.ips, containerPorts: p.containerPorts }));
  m.policies = policies.filter((p) => namespaces.includes(p.metadata.namespace ?? ''));
  return m;
}

function isolationPlan(read: readonly string[]): { plan: Plan; isolated: string[] } {
  const s = world();
  const policy = isolationPolicy({ namespace: 'app', keep: ['dns'] }).policy;
  const manifests = manifestsRead(s, [policy], read);
  const suite = isolationSuite(s, { namespace: 'app', keep: ['dns'], fromNamespaces: ['p1', 'p2'], policies: manifests.policies });
  const base = buildPlan(expandSuites(loadGeneratedSuite(suite.yaml, 'isolation.yaml')), s);
  const { mayReach, predictPath } = policyEvidence({ engine: new AdminPolicyEngine(manifests), manifests });
  const plan = planCanaries(addVouchers(base, mayReach), predictPath);
  return { plan, isolated: plan.sources.filter((x) => x.namespace === 'app').map((x) => x.key) };
}

describe('incident: isolation with the policies read (control probes, canaries)', () => {
  it('reads the isolated namespace, the others and cluster DNS\'s, each once', () => {
    expect(policyNamespaces('app', ['p1', 'p2', 'app'])).to.deep.equal(['app', 'p1', 'p2', 'kube-system']);
  });

  it('every egress deny to a pod of another namespace, shown alive by nothing else, gets a control probe from an identity of that side', () => {
    const { plan } = isolationPlan(policyNamespaces('app', ['p1', 'p2']));
    const vouches = plan.probes.filter((p) => p.vouch !== undefined);
    expect(vouches.map((p) => p.target.host).sort()).to.deep.equal(['10.244.2.1', '10.244.3.1']);
    const bySource = new Map(plan.sources.map((x) => [x.key, x]));
    for (const v of vouches) expect(bySource.get(v.sourceKey)!.namespace, 'never an isolated pod').to.not.equal('app');
  });

  it('every isolated probe pod gets canaries (its egress deny shows its rules in place) instead of the fixed settle', () => {
    const { plan, isolated } = isolationPlan(policyNamespaces('app', ['p1', 'p2']));
    expect(isolated).to.have.length(3);
    for (const key of isolated) {
      const canaries = plan.canaries?.[key];
      expect(canaries, key).to.not.equal(undefined);
      expect(canaries!.map((c) => c.expect)).to.include('deny');
    }
  });

  it('without cluster DNS\'s pods among what is read, the isolated probe pods would wait the fixed settle', () => {
    const { plan, isolated } = isolationPlan(['app', 'p1', 'p2']);
    for (const key of isolated) expect(plan.canaries?.[key], key).to.equal(undefined);
  });

  it('on a plugin that drops (timeouts), the egress denies are decided by the control probes; ingress to pods without readiness stays inconclusive', () => {
    const { plan } = isolationPlan(policyNamespaces('app', ['p1', 'p2']));
    const observations = new Map<string, ProbeObservation>();
    for (const p of plan.probes) {
      const dns = p.target.kind === 'dns';
      const connected = p.vouch !== undefined || dns;
      const o: ProbeObservation = { probeId: p.id, outcome: connected ? 'connected' : 'timeout', detail: '', ms: connected ? 2 : 2000, attempts: 1 };
      if (connected) o.answeredBy = 'target';
      if (dns) o.rcode = 'NOERROR';
      observations.set(p.id, o);
    }
    const results = judge({ plan, observations });
    const egress = results.filter((r) => r.name.startsWith('out ') && !r.name.includes('cluster DNS'));
    expect(egress.length).to.equal(6);
    for (const r of egress) expect(r.status, `${r.name}: ${r.detail}`).to.equal('pass');
    for (const r of results.filter((x) => x.name.startsWith('in '))) expect(r.status, r.name).to.equal('inconclusive');
  });
});
