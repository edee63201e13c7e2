import { expect } from 'chai';
import { isolationPolicy } from '../../../src/incident/isolation-policy.ts';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import { parseManifests } from '../../../src/policy/manifests.ts';
import type { ClusterState } from '../../../src/policy/types.ts';
import type { PodInfo } from '../../../src/model/cluster.ts';

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string): PodInfo => ({ namespace, name, labels, ips: [ip], containerPorts: [{ port: 8080, protocol: 'TCP' }] });
const api = pod('api', 'api-1', { app: 'api' }, '10.0.0.1');
const worker = pod('api', 'worker-1', { app: 'worker' }, '10.0.0.2');
const web = pod('web', 'web-1', { app: 'web' }, '10.0.0.3');
const dns = { ...pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.0.0.53'), containerPorts: [{ port: 53, protocol: 'UDP' as const }] };

function engineWith(yaml: string): PolicyEngine {
  const policies = parseManifests(yaml).policies;
  const state: ClusterState = {
    policies,
    namespaces: ['api', 'web', 'kube-system'].map((name) => ({ name, labels: {} })),
    pods: [api, worker, web, dns],
  };
  return new PolicyEngine(state);
}

describe('incident: isolation policy', () => {
  it('prints a NetworkPolicy that isolates every pod of the namespace both ways (judged by the policy engine)', () => {
    const { yaml, policy } = isolationPolicy({ namespace: 'api' });
    expect(yaml).to.contain('kind: NetworkPolicy').and.to.contain('netprobe never applies it').and.to.contain('NetworkPolicies add up');
    expect(policy.spec).to.deep.equal({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const engine = engineWith(yaml);
    expect(engine.evaluate({ source: web, destination: api, port: 8080 }).allowed).to.equal(false);
    expect(engine.evaluate({ source: api, destination: web, port: 8080 }).allowed).to.equal(false);
    expect(engine.evaluate({ source: worker, destination: api, port: 8080 }).allowed).to.equal(false);
    expect(engine.evaluate({ source: api, destination: dns, port: 53, protocol: 'UDP' }).allowed).to.equal(false);
    expect(engine.evaluate({ source: api, destination: { ip: '198.51.100.10' }, port: 80 }).allowed).to.equal(false);
    // Other namespaces are untouched.
    expect(engine.evaluate({ source: web, destination: dns, port: 53, protocol: 'UDP' }).allowed).to.equal(true);
  });

  it('keeps cluster DNS and an address open, nothing else', () => {
    const { yaml } = isolationPolicy({ namespace: 'api', keep: ['dns', '198.51.100.10:80'] });
    const engine = engineWith(yaml);
    expect(engine.evaluate({ source: api, destination: dns, port: 53, protocol: 'UDP' }).allowed).to.equal(true);
    expect(engine.evaluate({ source: api, destination: dns, port: 9153 }).allowed).to.equal(false);
    expect(engine.evaluate({ source: api, destination: { ip: '198.51.100.10' }, port: 80 }).allowed).to.equal(true);
    expect(engine.evaluate({ source: api, destination: { ip: '198.51.100.10' }, port: 443 }).allowed).to.equal(false);
    expect(engine.evaluate({ source: api, destination: web, port: 8080 }).allowed).to.equal(false);
  });

  it('with a selector, isolates only those pods', () => {
    const { yaml } = isolationPolicy({ namespace: 'api', selector: { app: 'api' } });
    const engine = engineWith(yaml);
    expect(engine.evaluate({ source: web, destination: api, port: 8080 }).allowed).to.equal(false);
    expect(engine.evaluate({ source: web, destination: worker, port: 8080 }).allowed).to.equal(true);
    expect(yaml).to.contain('--selector app=api');
  });

  it('says what a NetworkPolicy cannot keep (names, an unknown API address)', () => {
    const { notes } = isolationPolicy({ namespace: 'api', keep: ['example.com:443', 'kube-api'] });
    expect(notes.join('\n')).to.match(/example\.com:443: a NetworkPolicy matches addresses/).and.match(/kube-api: the API server endpoints are not known; add --from-cluster/);
    const withApi = isolationPolicy({ namespace: 'api', keep: ['kube-api'], kubeApi: [{ host: '203.0.113.1', port: 6443, protocol: 'TCP' }] });
    expect(withApi.policy.spec.egress).to.deep.equal([{ to: [{ ipBlock: { cidr: '203.0.113.1/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }]);
  });
});
