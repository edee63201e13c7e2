import { expect } from 'chai';
import { formatDiagnostic } from '../../../src/suite/diagnostics.ts';
import { parseYaml } from '../../../src/suite/load.ts';
import { checkPolicyDocuments } from '../../../src/policy/strict.ts';

/** The problems of a manifest text, as `line:col: message` (the file name is always p.yaml). */
function problems(text: string): string[] {
  const { documents } = parseYaml('p.yaml', text);
  return checkPolicyDocuments(documents).map((d) => formatDiagnostic(d).replace(/^p\.yaml:/, ''));
}

const np = (spec: string, meta = 'metadata: {name: np, namespace: shop}'): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${meta}\nspec:\n${spec}`;

describe('policy files checked as the API server checks them', () => {
  it('accepts the guides\' usual policies (default deny, DNS allow, AND peer, port range, ipBlock with except)', () => {
    const text = np(`  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: web}}
      podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
    ports: [{protocol: TCP, port: http}, {port: 8000, endPort: 8080}]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}]
  - {}
`);
    expect(problems(text)).to.deep.equal([]);
  });

  it('an unknown field gets the position and the closest field name', () => {
    const text = np(`  podSelectr: {matchLabels: {app: api}}\n  policyTypes: [Ingress]\n`);
    expect(problems(text)).to.deep.equal(['5:3: unknown key `podSelectr` in NetworkPolicySpec; did you mean `podSelector`?']);
  });

  it('an enum in the wrong case is rejected with the right spelling (protocol: tcp, policyTypes: egress)', () => {
    const text = np(`  podSelector: {}\n  policyTypes: [egress]\n  egress:\n  - ports:\n    - protocol: tcp\n      port: 53\n`);
    const found = problems(text);
    expect(found).to.have.length(2);
    expect(found[0]).to.match(/^6:17: .*found `egress`, expected one of `Ingress` or `Egress`; did you mean `Egress`\?/);
    expect(found[1]).to.match(/^9:17: .*found `tcp`.*did you mean `TCP`\?/);
  });

  it('port and endPort rules: a range needs a numeric port, an end not below the start, both 1-65535', () => {
    const text = np(`  podSelector: {}
  ingress:
  - ports:
    - {port: http, endPort: 90}
    - {endPort: 90}
    - {port: 9000, endPort: 8000}
    - {port: 70000}
    - {port: "8080"}
    - {port: Web_1}
`);
    const found = problems(text);
    expect(found).to.have.length(6);
    expect(found[0]).to.match(/^8:20: spec\.ingress\[0\]\.ports\[0\]\.endPort: not allowed when `port` is a named port/);
    expect(found[1]).to.match(/^9:8: .*ports\[1\]\.endPort: not allowed without `port`/);
    expect(found[2]).to.match(/^10:29: .*expected a number greater than or equal to `port` \(9000\)/);
    expect(found[3]).to.match(/^11:14: .*found 70000, expected a port number 1-65535/);
    expect(found[4]).to.match(/^12:14: .*write the number without quotes \(8080\)/);
    expect(found[5]).to.match(/^13:14: .*only lowercase letters/);
  });

  it('peers: empty, ipBlock next to a selector, a CIDR without prefix, an except outside the cidr', () => {
    const text = np(`  podSelector: {}
  egress:
  - to:
    - {}
    - {ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}
    - ipBlock: {cidr: 192.168.1.1}
    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16, 11.0.0.0/24]}
`);
    const found = problems(text);
    expect(found).to.have.length(5);
    expect(found[0]).to.match(/^8:7: spec\.egress\[0\]\.to\[0\]: found an empty peer/);
    expect(found[1]).to.match(/^9:8: .*`ipBlock` cannot be combined with `podSelector`/);
    expect(found[2]).to.match(/^10:23: .*expected a CIDR with a prefix length like 192\.168\.1\.1\/32/);
    expect(found[3]).to.match(/^11:45: .*except\[0\]: found 10\.0\.0\.0\/16, expected a strict subset/);
    expect(found[4]).to.match(/^11:58: .*except\[1\]: found 11\.0\.0\.0\/24/);
  });

  it('selector operators and values, names, apiVersion', () => {
    const text = np(
      `  podSelector: {matchExpressions: [{key: app, operator: in, values: [a]}, {key: tier, operator: Exists, values: [x]}]}\n`,
      'apiVersion: networking.k8s.io/v1beta1\nmetadata: {name: Bad_Name}',
    );
    const found = problems(text);
    expect(found.join('\n')).to.match(/found `in`.*did you mean `In`/);
    expect(found.join('\n')).to.match(/`values` is not allowed when operator is Exists/);
    expect(found.join('\n')).to.match(/found string "Bad_Name", expected a policy name/);
    expect(found.join('\n')).to.match(/found `networking\.k8s\.io\/v1beta1`, expected `networking\.k8s\.io\/v1`/);
  });

  it('null fields are absent, and a copy from kubectl get (status, managedFields) is accepted; Lists are looked into', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: a
    namespace: shop
    uid: 1234
    managedFields: [{manager: kubectl, fieldsV1: {f:spec: {}}}]
  spec:
    podSelector: {}
    ingress:
    status: {}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: b, namespace: shop}
  spec: {podSelector: {}, egres: []}
`;
    const found = problems(text);
    expect(found).to.have.length(3);
    expect(found[0]).to.match(/^9:10: .*uid: found number 1234, expected a string/);
    expect(found[1]).to.match(/^14:5: unknown key `status` in NetworkPolicySpec/);
    expect(found[2]).to.match(/^18:27: unknown key `egres` in NetworkPolicySpec; did you mean `egress`\?/);
  });

  it('AdminNetworkPolicy and the baseline: actions, one field per peer and port, ranges, networks, the baseline name', () => {
    const text = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: anp}
spec:
  priority: 1001
  subject: {namespaces: {}, pods: {namespaceSelector: {}, podSelector: {}}}
  egress:
  - action: allow
    to: [{networks: [10.0.0.0/8, 300.0.0.0/8]}, {namespaces: {}, networks: [1.2.3.0/24]}]
    ports: [{portRange: {start: 90, end: 80}}, {portNumber: {port: 53}, namedPort: dns}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: baseline}
spec:
  subject: {namespaces: {}}
  ingress: [{action: Pass, from: [{namespaces: {}}]}]
`;
    const found = problems(text).join('\n');
    expect(found).to.match(/^5:13: .*found 1001, expected a priority 0-1000/m);
    expect(found).to.match(/^8:13: .*found `allow`.*did you mean `Allow`/m);
    expect(found).to.match(/^6:29: spec\.subject: found both `namespaces` and `pods`/m);
    expect(found).to.match(/networks\[1\]: found "300\.0\.0\.0\/8"/);
    expect(found).to.match(/to\[1\]: found both `namespaces` and `networks`/);
    expect(found).to.match(/found start 90 and end 80, expected start less than end/);
    expect(found).to.match(/ports\[1\]: found both `portNumber` and `namedPort`/);
    expect(found).to.match(/^17:22: .*found `Pass`, expected one of `Allow` or `Deny`/m);
    expect(found).to.match(/^14:18: metadata\.name: found "baseline", expected `default`/m);
  });

  it('objects of other kinds are not its business', () => {
    expect(problems('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {whatever: 1}\n')).to.deep.equal([]);
  });
});
