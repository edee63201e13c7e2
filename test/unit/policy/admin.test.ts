import { expect } from 'chai';
import { AdminPolicyEngine, type AdminNetworkPolicy, type AdminRule, type BaselineAdminNetworkPolicy } from '../../../src/policy/admin.ts';
import { fileURLToPath } from 'node:url';
import { loadManifestFiles } from '../../../src/policy/load-files.ts';
import { mergeManifests, parseManifests, type ManifestSet } from '../../../src/policy/manifests.ts';
import type { Endpoint, NetworkPolicy } from '../../../src/policy/types.ts';
import { namespaces, np, pod, pods } from './world.ts';

const anp = (name: string, priority: number, subject: AdminNetworkPolicy['spec']['subject'], ingress?: AdminRule[], egress?: AdminRule[]): AdminNetworkPolicy => ({
  metadata: { name },
  spec: { priority, subject, ...(ingress ? { ingress } : {}), ...(egress ? { egress } : {}) },
});
const banp = (subject: BaselineAdminNetworkPolicy['spec']['subject'], ingress?: AdminRule<'Allow' | 'Deny'>[], egress?: AdminRule<'Allow' | 'Deny'>[]): BaselineAdminNetworkPolicy => ({
  metadata: { name: 'default' },
  spec: { subject, ...(ingress ? { ingress } : {}), ...(egress ? { egress } : {}) },
});
const fixtureDir = (p: string) => fileURLToPath(new URL(`../../fixtures/policy/${p}`, import.meta.url));
const nsX = { namespaces: { matchLabels: { ns: 'x' } } };
const fromY = [{ namespaces: { matchLabels: { ns: 'y' } } }];
const denyAllX = np('x', 'deny-all', { policyTypes: ['Ingress', 'Egress'] });

interface AdminCase {
  name: string;
  reason: string;
  admin?: AdminNetworkPolicy[];
  baseline?: BaselineAdminNetworkPolicy;
  policies?: NetworkPolicy[];
  from: string;
  to: string;
  port: number;
  expect: 'allow' | 'deny';
  deciding?: string[];
}

const cases: AdminCase[] = [
  { name: 'ANP Deny beats a NetworkPolicy allow', reason: 'the admin tier is evaluated before NetworkPolicy; Deny is final', admin: [anp('deny-y', 10, nsX, [{ action: 'Deny', from: fromY }])], policies: [np('x', 'allow-all', { ingress: [{}] })], from: 'y/a', to: 'x/a', port: 80, expect: 'deny', deciding: ['anp/deny-y'] },
  { name: 'ANP Allow beats NetworkPolicy default deny', reason: 'Allow in the admin tier is final', admin: [anp('allow-y', 10, nsX, [{ action: 'Allow', from: fromY }])], policies: [denyAllX], from: 'y/a', to: 'x/a', port: 80, expect: 'allow', deciding: ['anp/allow-y'] },
  { name: 'ANP Pass defers to NetworkPolicy', reason: 'Pass skips the admin tier; deny-all isolates x', admin: [anp('pass-y', 10, nsX, [{ action: 'Pass', from: fromY }])], policies: [denyAllX], from: 'y/a', to: 'x/a', port: 80, expect: 'deny', deciding: ['x/deny-all'] },
  { name: 'ANP Pass without NetworkPolicy reaches the baseline', reason: 'no NetworkPolicy isolates x/a, so the BANP Deny applies', admin: [anp('pass-y', 10, nsX, [{ action: 'Pass', from: fromY }])], baseline: banp(nsX, [{ action: 'Deny', from: fromY }]), from: 'y/a', to: 'x/a', port: 80, expect: 'deny', deciding: ['banp/default'] },
  { name: 'Pass also skips lower-priority admin policies', reason: 'a matched Pass ends the admin tier', admin: [anp('pass-y', 10, nsX, [{ action: 'Pass', from: fromY }]), anp('deny-y', 20, nsX, [{ action: 'Deny', from: fromY }])], from: 'y/a', to: 'x/a', port: 80, expect: 'allow' },
  { name: 'lower priority number wins (Allow first)', reason: 'priority 10 is evaluated before 20', admin: [anp('deny-y', 20, nsX, [{ action: 'Deny', from: fromY }]), anp('allow-y', 10, nsX, [{ action: 'Allow', from: fromY }])], from: 'y/a', to: 'x/a', port: 80, expect: 'allow' },
  { name: 'lower priority number wins (Deny first)', reason: 'priority 5 is evaluated before 10', admin: [anp('deny-y', 5, nsX, [{ action: 'Deny', from: fromY }]), anp('allow-y', 10, nsX, [{ action: 'Allow', from: fromY }])], from: 'y/a', to: 'x/a', port: 80, expect: 'deny' },
  { name: 'first matching rule of a policy decides (Deny)', reason: 'rules are evaluated in order within a policy', admin: [anp('ordered', 10, nsX, [{ action: 'Deny', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } } }] }, { action: 'Allow', from: fromY }])], policies: [denyAllX], from: 'y/b', to: 'x/a', port: 80, expect: 'deny' },
  { name: 'first matching rule of a policy decides (Allow)', reason: 'y/a skips the pod=b Deny and matches the Allow', admin: [anp('ordered', 10, nsX, [{ action: 'Deny', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } } }] }, { action: 'Allow', from: fromY }])], policies: [denyAllX], from: 'y/a', to: 'x/a', port: 80, expect: 'allow' },
  { name: 'BANP applies when no NetworkPolicy selects', reason: 'baseline Deny for unisolated pods', baseline: banp(nsX, [{ action: 'Deny', from: fromY }]), from: 'y/a', to: 'x/a', port: 80, expect: 'deny' },
  { name: 'BANP is ignored once a NetworkPolicy isolates', reason: 'an isolating NetworkPolicy decides; it allows ns y', baseline: banp(nsX, [{ action: 'Deny', from: fromY }]), policies: [np('x', 'allow-y', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })], from: 'y/a', to: 'x/a', port: 80, expect: 'allow', deciding: ['x/allow-y'] },
  { name: 'BANP Allow cannot override an isolating NetworkPolicy', reason: 'deny-all isolates x: NetworkPolicy is final', baseline: banp(nsX, [{ action: 'Allow', from: fromY }]), policies: [denyAllX], from: 'y/a', to: 'x/a', port: 80, expect: 'deny' },
  { name: 'ANP egress Deny to networks', reason: 'networks match the destination address', admin: [anp('no-doc-net', 10, nsX, undefined, [{ action: 'Deny', to: [{ networks: ['203.0.113.0/24'] }] }])], from: 'x/a', to: '203.0.113.7', port: 443, expect: 'deny' },
  { name: 'ANP egress networks, outside', reason: '198.51.100.1 is outside 203.0.113.0/24; nothing else applies', admin: [anp('no-doc-net', 10, nsX, undefined, [{ action: 'Deny', to: [{ networks: ['203.0.113.0/24'] }] }])], from: 'x/a', to: '198.51.100.1', port: 443, expect: 'allow' },
  { name: 'ANP egress Allow overrides NetworkPolicy egress deny', reason: 'admin Allow is final for egress too', admin: [anp('dns', 10, nsX, undefined, [{ action: 'Allow', to: [{ namespaces: { matchLabels: { ns: 'z' } } }], ports: [{ portNumber: { protocol: 'UDP', port: 53 } }] }])], policies: [denyAllX], from: 'x/a', to: 'z/b', port: 53, expect: 'allow' },
  { name: 'ANP portNumber limits the rule', reason: 'the Deny names port 80 only; 81 falls through', admin: [anp('deny-80', 10, nsX, [{ action: 'Deny', from: fromY, ports: [{ portNumber: { port: 80 } }] }])], from: 'y/a', to: 'x/a', port: 81, expect: 'allow' },
  { name: 'ANP portRange', reason: '8080 lies in 8000-8100', admin: [anp('deny-range', 10, nsX, [{ action: 'Deny', from: fromY, ports: [{ portRange: { start: 8000, end: 8100 } }] }])], from: 'y/a', to: 'x/a', port: 8080, expect: 'deny' },
  { name: 'ANP namedPort resolves on the destination', reason: 'x/c names 8080 http', admin: [anp('deny-http', 10, nsX, [{ action: 'Deny', from: fromY, ports: [{ namedPort: 'http' }] }])], from: 'y/a', to: 'x/c', port: 8080, expect: 'deny' },
  { name: 'ANP pods subject selects only matching pods', reason: 'subject pods pod=a in ns x does not select x/b', admin: [anp('a-only', 10, { pods: { namespaceSelector: { matchLabels: { ns: 'x' } }, podSelector: { matchLabels: { pod: 'a' } } } }, [{ action: 'Deny', from: fromY }])], from: 'y/a', to: 'x/b', port: 80, expect: 'allow' },
  { name: 'ANP peers never match external addresses', reason: 'namespaces peers match pods only', admin: [anp('deny-all-ns', 10, nsX, [{ action: 'Deny', from: [{ namespaces: {} }] }])], from: '192.168.5.5', to: 'x/a', port: 80, expect: 'allow' },
];

function endpoint(ref: string): Endpoint {
  return ref.includes('/') ? pod(ref) : { ip: ref };
}

describe('admin network policies', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.from} -> ${c.to}:${c.port} ${c.expect} (${c.reason})`, () => {
      const engine = new AdminPolicyEngine({
        policies: c.policies ?? [],
        namespaces,
        pods,
        adminPolicies: c.admin ?? [],
        baselinePolicies: c.baseline ? [c.baseline] : [],
      });
      const protocol = c.name.includes('UDP') || c.port === 53 ? 'UDP' : 'TCP';
      const v = engine.evaluate({ source: endpoint(c.from), destination: endpoint(c.to), port: c.port, protocol });
      expect(v.allowed ? 'allow' : 'deny', `${v.egress.reason} / ${v.ingress.reason}`).to.equal(c.expect);
      if (c.deciding) expect([...v.policies].sort()).to.deep.equal([...c.deciding].sort());
    });
  }
});

describe('admin network policies from manifests', () => {
  const blog = [
    'kind: Namespace',
    'metadata: {name: blog, labels: {team: shop}}',
    '---',
    'kind: Pod',
    'metadata: {name: wp, namespace: blog, labels: {app: wp}}',
    'spec: {containers: [{name: wp, ports: [{containerPort: 80}, {name: metrics, containerPort: 9100}]}]}',
  ].join('\n');

  async function engineWith(): Promise<{ engine: AdminPolicyEngine; set: ManifestSet }> {
    const files = await loadManifestFiles([fixtureDir('shop'), fixtureDir('admin')]);
    const set = mergeManifests([files, parseManifests(blog, 'blog.yaml')]);
    return { engine: new AdminPolicyEngine(set), set };
  }
  const find = (set: ManifestSet, ns: string, name: string) => set.pods.find((p) => p.namespace === ns && p.name === name)!;

  it('parses AdminNetworkPolicy and BaselineAdminNetworkPolicy', async () => {
    const { set } = await engineWith();
    expect(set.adminPolicies.map((p) => `${p.metadata.name}@${p.spec.priority}`)).to.deep.equal(['metrics-only-from-monitoring@10']);
    expect(set.adminPolicies[0]!.spec.ingress!.map((r) => r.action)).to.deep.equal(['Pass', 'Deny']);
    expect(set.adminPolicies[0]!.spec.ingress![0]!.ports).to.deep.equal([{ portNumber: { protocol: 'TCP', port: 9100 } }]);
    expect(set.adminPolicies[0]!.spec.egress![0]!.to).to.deep.equal([{ networks: ['169.254.169.254/32'] }]);
    expect(set.baselinePolicies[0]!.spec.subject).to.deep.equal({ namespaces: { matchLabels: { team: 'shop' } } });
  });

  const table: Array<[string, string, string, number, 'allow' | 'deny', string]> = [
    ['monitoring/scraper', 'shop/api', '', 9100, 'allow', 'ANP Pass from monitoring, then the shop NetworkPolicy allows metrics'],
    ['shop/frontend', 'blog/wp', '', 9100, 'deny', 'ANP Deny: metrics from anywhere but monitoring'],
    ['monitoring/scraper', 'blog/wp', '', 80, 'deny', 'no ANP rule on 80; blog has no NetworkPolicy; the baseline denies namespaces not in team shop'],
    ['shop/api', 'blog/wp', '', 80, 'deny', 'shop/api egress reaches only db and 443 (NetworkPolicy), before any baseline'],
    ['monitoring/scraper', '', '169.254.169.254', 80, 'deny', 'ANP egress Deny to the metadata address'],
    ['monitoring/scraper', '', '198.51.100.4', 80, 'allow', 'no tier restricts monitoring egress elsewhere'],
  ];
  for (const [from, to, ip, port, want, why] of table) {
    it(`${from} -> ${to || ip}:${port} ${want} (${why})`, async () => {
      const { engine, set } = await engineWith();
      const [fns, fname] = from.split('/');
      const [tns, tname] = to.split('/');
      const v = engine.evaluate({ source: find(set, fns!, fname!), destination: to ? find(set, tns!, tname!) : { ip }, port });
      expect(v.allowed ? 'allow' : 'deny', `${v.egress.reason} / ${v.ingress.reason}`).to.equal(want);
    });
  }
});
