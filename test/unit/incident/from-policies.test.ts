import { expect } from 'chai';
import { loadGeneratedSuite, NothingToProbeError } from '../../../src/incident/common.ts';
import { FromPoliciesError, suiteFromPolicies } from '../../../src/incident/from-policies.ts';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import { parseManifests, type ManifestSet } from '../../../src/policy/manifests.ts';
import { predictCase } from '../../../src/policy/predict.ts';
import { predictionResult } from '../../../src/verdict/predicted.ts';
import { expandSuites } from '../../../src/suite/index.ts';

const NAMESPACES = `
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {team: frontend}}
---
apiVersion: v1
kind: Namespace
metadata: {name: api, labels: {team: api}}
---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {team: data}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
`;

const workload = (ns: string, name: string, labels: string, ports: string) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: ${labels}}
  template:
    metadata: {labels: ${labels}}
    spec: {containers: [{name: c, image: echo, ports: ${ports}}]}`;

const WORKLOADS =
  workload('web', 'web', '{app: web}', '[{name: http, containerPort: 8080}]') +
  workload('web', 'admin', '{app: admin}', '[{containerPort: 8080}]') +
  workload('api', 'api', '{app: api}', '[{name: http, containerPort: 8080}, {containerPort: 9090}]') +
  workload('db', 'postgres', '{app: postgres}', '[{containerPort: 5432}]') +
  workload('kube-system', 'coredns', '{k8s-app: kube-dns}', '[{containerPort: 53, protocol: UDP}, {containerPort: 53}, {containerPort: 9153}]');

const API_INGRESS_FROM = `
    - namespaceSelector: {matchLabels: {team: frontend}}
      podSelector: {matchLabels: {app: web}}`;

const policies = (from = API_INGRESS_FROM) => `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: api}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: api}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from:${from}
    ports: [{port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-egress, namespace: api}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchLabels: {app: postgres}}}]
    ports: [{port: 5432}]
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{port: 53, protocol: UDP}]
  - to: [{ipBlock: {cidr: 198.51.100.10/32}}]
    ports: [{port: 80}]
`;

const world = (from?: string): ManifestSet => parseManifests(NAMESPACES + WORKLOADS + policies(from), 'shop.yaml');

function generate(w = world()) {
  const out = suiteFromPolicies(w, { namespaces: ['api'], origin: 'shop.yaml' });
  const suites = loadGeneratedSuite(out.yaml, 'from-policies.yaml');
  return { ...out, suites, cases: expandSuites(suites) };
}

const summary = (s: ReturnType<typeof generate>) =>
  s.suites[0]!.expectations.map((e) => `${e.name} ${e.ports.map((p) => (p.kind === 'number' ? p.port : p.kind)).join('+')}`.trim());

describe('incident: suite from policies', () => {
  it('writes allow for what the policies let through and deny for the rest, both directions, as a suite the loader accepts', () => {
    const s = generate();
    expect(s.yaml).to.match(/^# Written by netprobe generate from-policies from shop.yaml: 3 NetworkPolicies of api/);
    expect(summary(s)).to.include.members([
      'allow web.web -> api.api TCP 8080',
      'deny web.web -> api.api TCP 9090',
      'deny web.admin -> api.api TCP 8080+9090',
      'deny web.any-pod -> api.api TCP 8080+9090',
      'deny api.any-pod -> api.api TCP 8080+9090',
      'allow api.api -> db.postgres TCP 5432',
      'allow api.api -> kube-system.kube-dns DNS 53',
      'deny api.api -> web.web TCP 8080',
      'allow api.api -> 198.51.100.10 TCP 80',
    ]);
    expect(s.counts.allow).to.be.greaterThan(0);
    expect(s.counts.deny).to.be.greaterThan(s.counts.allow);
    expect(s.yaml).to.contain('# allowed by api/api-ingress');
    // Only DNS queries reach the DNS pods; their metrics port is not the namespace's business.
    expect(summary(s).some((n) => n.includes('9153'))).to.equal(false);
  });

  it('agrees with the policies it came from, and a widened rule turns into a leak', () => {
    const judge = (w: ManifestSet, cases: ReturnType<typeof generate>['cases']) => {
      const engine = new PolicyEngine(w);
      return cases.map((c) => predictionResult(c, predictCase(engine, w, c)));
    };
    const s = generate();
    const same = judge(world(), s.cases);
    expect(same.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.detail}`)).to.deep.equal([]);
    // The edit: the api admits every pod of the frontend namespace instead of the web pods only.
    const widened = judge(world(`\n    - namespaceSelector: {matchLabels: {team: frontend}}`), s.cases);
    const leaks = widened.filter((r) => r.status === 'leak').map((r) => r.name);
    expect(leaks).to.include('deny web.admin -> api.api TCP [web.admin -> api.api:8080]');
    expect(leaks).to.include('deny web.any-pod -> api.api TCP [web.any-pod -> api.api:8080]');
    expect(widened.filter((r) => r.status !== 'pass' && r.status !== 'leak')).to.deep.equal([]);
  });

  it('lets AdminNetworkPolicies decide first when the state has them', () => {
    const anp = `
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: cut-frontend}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: api}}}
  ingress:
  - name: no-frontend
    action: Deny
    from: [{namespaces: {matchLabels: {team: frontend}}}]
`;
    const s = generate(parseManifests(NAMESPACES + WORKLOADS + policies() + anp, 'shop.yaml'));
    expect(summary(s)).to.include('deny web.web -> api.api TCP 8080+9090');
    expect(summary(s).some((n) => n.startsWith('allow web.web -> api.api'))).to.equal(false);
    expect(s.yaml).to.contain('cut-frontend');
  });

  it('says there is nothing to derive when no pod declares a port (instead of a suite that does not load)', () => {
    const noPorts = workload('api', 'api', '{app: api}', '[]') + workload('api', 'worker', '{app: worker}', '[]');
    const denyAll = '\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: api}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n';
    expect(() => suiteFromPolicies(parseManifests(NAMESPACES + noPorts + denyAll, 'shop.yaml'), { namespaces: ['api'], origin: 'x' })).to.throw(
      NothingToProbeError,
      /^no pod of api declares a container port \(and no egress rule names an address and port\): no expectation to derive$/,
    );
  });

  it('a namespace whose policies select no pod or workload has nothing to probe', () => {
    expect(() => suiteFromPolicies(parseManifests(NAMESPACES + policies(), 'shop.yaml'), { namespaces: ['api'], origin: 'x' })).to.throw(NothingToProbeError, /no pod or workload in namespace api/);
  });

  it('refuses a namespace without policies or pods', () => {
    expect(() => suiteFromPolicies(world(), { namespaces: ['web'], origin: 'x' })).to.throw(FromPoliciesError, /no NetworkPolicy in namespace web/);
    expect(() => suiteFromPolicies(world(), { namespaces: ['api'], origin: 'x', peerNamespaces: ['nope'] })).to.throw(FromPoliciesError, /nope/);
  });
});
