// Live objects (as src/cluster/policy-state.ts returns them) mapped to the engine's input, then predicted.
import { expect } from 'chai';
import type { PolicyObjects } from '../../../src/model/cluster.ts';
import { AdminPolicyEngine } from '../../../src/policy/admin.ts';
import { manifestsFromCluster, owningWorkload } from '../../../src/policy/cluster-state.ts';
import { predictCase } from '../../../src/policy/predict.ts';
import { oneCase } from '../support/world.ts';

function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels, ...extra },
    spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

const live: PolicyObjects = {
  scope: 'shop',
  namespaces: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } }],
  networkPolicies: [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: 'shop', name: 'db-ingress', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'http' }] }] },
    },
  ],
  pods: [
    pod('shop', 'api-7d9f-abcde', { app: 'api', 'pod-template-hash': '7d9f' }, '10.244.0.5', {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-7d9f', controller: true, uid: 'x' }],
    }),
    pod('shop', 'db-0', { app: 'db' }, '10.244.0.6', { ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }] }),
    pod('shop', 'web', { app: 'web' }, '10.244.0.7'),
  ],
  services: [{ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name: 'db' }, spec: { selector: { app: 'db' }, clusterIP: '10.96.0.9', ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }] } }],
  adminNetworkPolicies: [],
  baselineAdminNetworkPolicies: [],
};

describe('live cluster objects to the policy engine', () => {
  it('maps namespaces, policies, pods (with IPs and named ports) and services', () => {
    const m = manifestsFromCluster(live);
    expect(m.namespaces.map((n) => n.name)).to.deep.equal(['shop']);
    expect(m.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).to.deep.equal(['shop/db-ingress']);
    expect(m.policies[0]!.spec.ingress![0]!.ports).to.deep.equal([{ port: 'http' }]);
    const db = m.pods.find((p) => p.name === 'db-0')!;
    expect(db.ips).to.deep.equal(['10.244.0.6']);
    expect(db.containerPorts).to.deep.equal([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(m.services[0]).to.include({ namespace: 'shop', name: 'db' });
    expect(m.services[0]!.clusterIPs).to.deep.equal(['10.96.0.9']);
    expect(m.problems).to.deep.equal([]);
    expect(m.skipped).to.deep.equal([]);
  });

  it('ties pods to their workload: a Deployment through its ReplicaSet, a StatefulSet directly', () => {
    const m = manifestsFromCluster(live);
    expect(m.pods.find((p) => p.name === 'api-7d9f-abcde')!.workload).to.deep.equal({ kind: 'Deployment', name: 'api' });
    expect(m.pods.find((p) => p.name === 'db-0')!.workload).to.deep.equal({ kind: 'StatefulSet', name: 'db' });
    expect(m.pods.find((p) => p.name === 'web')!.workload).to.equal(undefined);
    expect(owningWorkload({ ownerReferences: [{ kind: 'ReplicaSet', name: 'bare-rs' }], labels: {} })).to.deep.equal({ kind: 'ReplicaSet', name: 'bare-rs' });
    expect(owningWorkload({})).to.equal(undefined);
  });

  it('predicts suite cases against the live state, workload peers and Services included', () => {
    const m = manifestsFromCluster(live);
    const engine = new AdminPolicyEngine(m);
    const allowed = oneCase(`{name: a, from: {namespace: shop, workload: {kind: Deployment, name: api}}, to: {namespace: shop, service: db}, port: 80, expect: allow}`);
    const denied = oneCase(`{name: d, from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: {namespace: shop, workload: {kind: StatefulSet, name: db}}, port: http, expect: deny}`);
    const pa = predictCase(engine, m, allowed);
    expect(pa.predicted, pa.detail).to.equal('allowed');
    expect(pa.policies).to.deep.equal(['shop/db-ingress']);
    expect(pa.facts.namedPort).to.equal(true);
    const pd = predictCase(engine, m, denied);
    expect(pd.predicted, pd.detail).to.equal('denied');
    expect(pd.facts).to.include({ ingressDenied: 1, egressDenied: 0 });
  });
});

describe('API field names from the client models', () => {
  it('renames an ingress rule\'s `_from` back to `from`, everywhere, and nothing else', async () => {
    const { apiFieldNames } = await import('../../../src/cluster/policy-state.ts');
    const model = { spec: { ingress: [{ _from: [{ podSelector: { matchLabels: { _x: '1' } } }], ports: [{ port: 'http' }] }] } };
    expect(apiFieldNames(model)).to.deep.equal({ spec: { ingress: [{ from: [{ podSelector: { matchLabels: { _x: '1' } } }], ports: [{ port: 'http' }] }] } });
  });
});
