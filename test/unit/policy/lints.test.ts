// Each lint on a manifest in the zero-trust guides' patterns (default deny, DNS allow, namespace + pod
// peers, egress to the internet), once where it must speak and once on the correct form where it must not.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { loadSuitesAndPolicies } from '../../../src/policy/validate-files.ts';
import { manifestDocuments } from '../../../src/policy/load-files.ts';
import { parseManifests } from '../../../src/policy/manifests.ts';
import { lintPolicies } from '../../../src/policy/lints-state.ts';
import { formatFinding } from '../../../src/policy/lints.ts';
import { inspectPolicyNode, policyNodes } from '../../../src/policy/strict.ts';

/** Findings on a manifest text (policies and state together) as `line:col CODE`, and their messages. */
function lint(text: string): { at: string[]; messages: string[] } {
  const inspected = manifestDocuments('m.yaml', text).documents.flatMap(policyNodes).map(inspectPolicyNode);
  expect(inspected.flatMap((p) => p.diagnostics)).to.deep.equal([]);
  const found = lintPolicies(inspected, parseManifests(text, 'm.yaml'));
  return { at: found.map((f) => `${f.line}:${f.col} ${f.code}`), messages: found.map((f) => formatFinding(f)) };
}

const policy = (name: string, spec: string, ns = 'shop'): string =>
  `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec}\n`;

const deployment = (name: string, labels: string, ports = '[]', ns = 'shop'): string =>
  `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  template:\n    metadata: {labels: ${labels}}\n    spec: {containers: [{name: c, image: x, ports: ${ports}}]}\n`;

const dnsAllow = policy('allow-dns', `  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]\n    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]`);

describe('policy lints', () => {
  it('NPL001 and-or-trap: a namespaceSelector-only peer next to a podSelector-only peer; not the AND form', () => {
    const or = lint(policy('db-ingress', `  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: api}}\n    - podSelector: {matchLabels: {app: api}}`));
    expect(or.at).to.deep.equal(['10:7 NPL001']);
    expect(or.messages[0]).to.include('if pods app=api in namespaces team=api was meant, write both selectors in one list item (AND)');
    const and = lint(policy('db-ingress', `  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: api}}\n      podSelector: {matchLabels: {app: api}}`));
    expect(and.at).to.deep.equal([]);
  });

  it('NPL001 catches the planted OR trap of the demo policies, and only the demo\'s known findings come out', async () => {
    const demo = fileURLToPath(new URL('../../../demo', import.meta.url));
    const loaded = await loadSuitesAndPolicies([`${demo}/policies`, `${demo}/app`]);
    expect(loaded.diagnostics).to.deep.equal([]);
    const found = loaded.lints.map((f) => `${f.file.slice(demo.length + 1)}:${f.line} ${f.code}`);
    expect(found).to.deep.equal(['policies/00-default-deny.yaml:16 NPL004', 'policies/40-data.yaml:25 NPL001']);
  });

  it('NPL002 policy-types-mismatch: egress rules under policyTypes [Ingress] are ignored', () => {
    const r = lint(policy('api', `  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{}]\n  egress: [{to: [{podSelector: {}}]}]`));
    expect(r.at).to.deep.equal(['7:16 NPL002']);
    expect(r.messages[0]).to.include('leaves out Egress, so the 1 egress rule(s) are ignored');
    expect(lint(policy('api', `  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress: [{to: [{podSelector: {}}]}, {ports: [{protocol: UDP, port: 53}]}]`)).at).to.deep.equal([]);
  });

  it('NPL003 selects-no-pod: a podSelector matching none of the namespace\'s pods (a label typo)', () => {
    const text = deployment('web', '{app: web}') + policy('web', `  podSelector: {matchLabels: {app: wbe}}\n  ingress: [{}]`);
    expect(lint(text).at).to.deep.equal(['14:16 NPL003']);
    expect(lint(deployment('web', '{app: web}') + policy('web', `  podSelector: {matchLabels: {app: web}}\n  ingress: [{}]`)).at).to.deep.equal([]);
  });

  it('NPL004 egress-without-dns: default deny egress with no DNS allow in the namespace; quiet once DNS is allowed', () => {
    const deny = policy('default-deny', `  podSelector: {}\n  policyTypes: [Ingress, Egress]`);
    const r = lint(deny);
    expect(r.at).to.deep.equal(['7:16 NPL004']);
    expect(r.messages[0]).to.include('no egress rule in shop allows UDP port 53');
    expect(lint(deny + dnsAllow).at).to.deep.equal([]);
  });

  it('NPL005 ipblock-covers-cluster: 0.0.0.0/0 egress that holds pod addresses; quiet with the pod range excepted', () => {
    const pod = `---\napiVersion: v1\nkind: Pod\nmetadata: {name: api-1, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.244.1.7}\n`;
    const internet = (except: string): string => policy('internet', `  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0${except}}}]`);
    const r = lint(pod + dnsAllow + internet(''));
    expect(r.at.filter((a) => a.endsWith('NPL005'))).to.have.length(1);
    expect(r.messages.join('\n')).to.include('ipBlock 0.0.0.0/0 covers pod addresses (shop/api-1 10.244.1.7)');
    expect(lint(pod + dnsAllow + internet(', except: [10.0.0.0/8]')).at).to.deep.equal([]);
  });

  it('NPL006 named-port-undeclared: ingress on port `http` that the selected pods do not name; quiet when they do', () => {
    const rule = policy('api', `  podSelector: {matchLabels: {app: api}}\n  ingress: [{ports: [{port: http}]}]`);
    const r = lint(deployment('api', '{app: api}', '[{name: web, containerPort: 8080}]') + rule);
    expect(r.at).to.deep.equal(['15:29 NPL006']);
    expect(r.messages[0]).to.include('named port `http` (TCP) is declared by none of the 1 pod(s)');
    expect(lint(deployment('api', '{app: api}', '[{name: http, containerPort: 8080}]') + rule).at).to.deep.equal([]);
  });

  it('NPL007 shadowed-rule: a rule inside a broader rule of the same policy; quiet for disjoint rules', () => {
    const r = lint(policy('api', `  podSelector: {}\n  ingress:\n  - ports: [{port: 8000, endPort: 9000}]\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8080}]`));
    expect(r.at).to.deep.equal(['9:5 NPL007']);
    expect(r.messages[0]).to.include('ingress[1] allows nothing that ingress[0] does not already allow');
    expect(lint(policy('api', `  podSelector: {}\n  ingress:\n  - ports: [{port: 8000}]\n  - ports: [{port: 8080}]`)).at).to.deep.equal([]);
  });

  it('NPL008 cidr-host-bits: 10.0.0.1/8 is read as 10.0.0.0/8', () => {
    const r = lint(dnsAllow + policy('out', `  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.1/8}}]}]`));
    expect(r.at).to.deep.equal(['18:35 NPL008']);
    expect(lint(dnsAllow + policy('out', `  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]`)).at).to.deep.equal([]);
  });
});
