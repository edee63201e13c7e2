// The policy corpus: each case is data (policies, one connection, the verdict) with a one-line reason
// naming the rule of the NetworkPolicy spec that decides it. Expectations were worked out from the spec,
// against the world in world.ts (namespaces x/y/z, pods a/b/c; pod c's `http` port is 8080).
// Groups marked `e2e` restate, as data, the scenarios exercised by the upstream Kubernetes e2e suite.

import type { EngineOptions } from '../../../src/policy/evaluate.ts';
import type { NetworkPolicy } from '../../../src/policy/types.ts';
import type { L4Protocol } from '../../../src/model/cluster.ts';
import { np } from './world.ts';

export type Allowed = 'allow' | 'deny';

export interface CorpusCase {
  group: string;
  name: string;
  /** The spec rule that decides the verdict. */
  reason: string;
  policies: NetworkPolicy[];
  /** `ns/pod` or an IP address. */
  from: string;
  to: string;
  /** A number, or a container port name on the destination. */
  port: number | string;
  protocol?: L4Protocol;
  expect: Allowed;
  egress?: Allowed;
  ingress?: Allowed;
  /** The deciding policies (`ns/name`), in any order. */
  deciding?: string[];
  options?: EngineOptions;
}

// Reusable policies.
const denyIngressX = np('x', 'deny-ingress', { policyTypes: ['Ingress'] });
const denyEgressX = np('x', 'deny-egress', { policyTypes: ['Egress'] });
const denyAllX = np('x', 'deny-all', { policyTypes: ['Ingress', 'Egress'] });
const allowAllIngressX = np('x', 'allow-all-ingress', { ingress: [{}] });
const onA = { matchLabels: { pod: 'a' } };
const ingressToA = (name: string, from: NonNullable<NetworkPolicy['spec']['ingress']>[number]): NetworkPolicy =>
  np('x', name, { podSelector: onA, ingress: [from] });
const egressFromA = (name: string, to: NonNullable<NetworkPolicy['spec']['egress']>[number]): NetworkPolicy =>
  np('x', name, { podSelector: onA, policyTypes: ['Egress'], egress: [to] });

const fromPodB = ingressToA('allow-b', { from: [{ podSelector: { matchLabels: { pod: 'b' } } }] });
const fromNsY = ingressToA('allow-ns-y', { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] });
const fromAllNs = ingressToA('allow-all-ns', { from: [{ namespaceSelector: {} }] });
const andPeer = ingressToA('and-peer', {
  from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }],
});
const orPeers = ingressToA('or-peers', {
  from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }],
});
const podExpr = (name: string, expr: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }) =>
  ingressToA(name, { from: [{ podSelector: { matchExpressions: [expr] } }] });
const portsOnA = (name: string, ports: NonNullable<NetworkPolicy['spec']['ingress']>[number]['ports']) =>
  ingressToA(name, { ports });
const egressCidr = (name: string, cidr: string, except?: string[]) =>
  egressFromA(name, { to: [{ ipBlock: except ? { cidr, except } : { cidr } }] });
const ingressCidr = (name: string, cidr: string, except?: string[]) =>
  ingressToA(name, { from: [{ ipBlock: except ? { cidr, except } : { cidr } }] });

export const corpus: CorpusCase[] = [
  // --- no isolation ---
  { group: 'isolation', name: 'no policies at all', reason: 'a pod no policy selects is not isolated in either direction', policies: [], from: 'x/a', to: 'y/b', port: 80, expect: 'allow', deciding: [] },
  { group: 'isolation', name: 'policy in another namespace', reason: 'a policy selects pods only in its own namespace', policies: [np('y', 'deny-all', { policyTypes: ['Ingress', 'Egress'] })], from: 'x/a', to: 'x/b', port: 80, expect: 'allow' },
  { group: 'isolation', name: 'podSelector picks only some pods', reason: 'only pods matching the policy podSelector are isolated', policies: [np('x', 'deny-a', { podSelector: onA, policyTypes: ['Ingress'] })], from: 'y/a', to: 'x/b', port: 80, expect: 'allow' },
  { group: 'isolation', name: 'podSelector picks the target', reason: 'the selected pod is isolated for ingress and nothing allows', policies: [np('x', 'deny-a', { podSelector: onA, policyTypes: ['Ingress'] })], from: 'y/a', to: 'x/a', port: 80, expect: 'deny', deciding: ['x/deny-a'] },
  { group: 'isolation', name: 'podSelector with matchExpressions picks targets', reason: 'podSelector In selects b; c is not isolated', policies: [np('x', 'deny-ab', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] }, policyTypes: ['Ingress'] })], from: 'y/a', to: 'x/c', port: 80, expect: 'allow' },
  { group: 'isolation', name: 'podSelector with matchExpressions isolates selected', reason: 'podSelector In [a,b] selects b, which is isolated', policies: [np('x', 'deny-ab', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] }, policyTypes: ['Ingress'] })], from: 'y/a', to: 'x/b', port: 80, expect: 'deny' },

  // --- default deny (e2e) ---
  { group: 'e2e', name: 'default-deny ingress from another namespace', reason: 'podSelector {} isolates every pod of x for ingress; no rules allow', policies: [denyIngressX], from: 'y/a', to: 'x/a', port: 80, expect: 'deny', ingress: 'deny', egress: 'allow', deciding: ['x/deny-ingress'] },
  { group: 'e2e', name: 'default-deny ingress within the namespace', reason: 'isolation applies to same-namespace sources too', policies: [denyIngressX], from: 'x/b', to: 'x/a', port: 80, expect: 'deny', egress: 'allow', ingress: 'deny' },
  { group: 'e2e', name: 'default-deny ingress leaves egress open', reason: 'an Ingress-only policy does not isolate egress', policies: [denyIngressX], from: 'x/a', to: 'y/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'default-deny without policyTypes', reason: 'policyTypes defaults to Ingress; no ingress rules allow nothing', policies: [np('x', 'deny-default', {})], from: 'y/a', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'default-deny egress to a pod', reason: 'policyTypes [Egress] with no egress rules isolates egress and allows none', policies: [denyEgressX], from: 'x/a', to: 'y/a', port: 80, expect: 'deny', egress: 'deny', ingress: 'allow', deciding: ['x/deny-egress'] },
  { group: 'e2e', name: 'default-deny egress leaves ingress open', reason: 'an Egress-only policy does not isolate ingress', policies: [denyEgressX], from: 'y/a', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'default-deny egress to an external address', reason: 'egress isolation covers every destination, pods or not', policies: [denyEgressX], from: 'x/a', to: '203.0.113.7', port: 443, expect: 'deny' },
  { group: 'e2e', name: 'default-deny all within the namespace', reason: 'Ingress and Egress both isolated; both sides deny', policies: [denyAllX], from: 'x/a', to: 'x/b', port: 80, expect: 'deny', egress: 'deny', ingress: 'deny' },
  { group: 'e2e', name: 'default-deny all, source outside', reason: 'destination ingress isolated, nothing allows', policies: [denyAllX], from: 'z/b', to: 'x/c', port: 80, expect: 'deny', egress: 'allow', ingress: 'deny' },

  // --- allow all, empty rules vs empty lists ---
  { group: 'e2e', name: 'allow-all ingress over default deny', reason: 'ingress: [{}] is one rule with no from and no ports: matches everything; policies are additive', policies: [denyIngressX, allowAllIngressX], from: 'y/a', to: 'x/a', port: 80, expect: 'allow', deciding: ['x/allow-all-ingress'] },
  { group: 'e2e', name: 'allow-all egress over default deny', reason: 'egress: [{}] matches every destination and port', policies: [denyEgressX, np('x', 'allow-all-egress', { policyTypes: ['Egress'], egress: [{}] })], from: 'x/a', to: '203.0.113.7', port: 443, expect: 'allow', deciding: ['x/allow-all-egress'] },
  { group: 'rules', name: 'empty ingress list isolates', reason: 'ingress: [] under policyTypes Ingress allows nothing', policies: [np('x', 'empty-list', { ingress: [] })], from: 'y/a', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'rules', name: 'rule with empty from list', reason: 'from: [] (empty) matches every source', policies: [np('x', 'empty-from', { ingress: [{ from: [], ports: [{ port: 80 }] }] })], from: '203.0.113.7', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'rules', name: 'rule with empty ports list', reason: 'ports: [] matches every port', policies: [np('x', 'empty-ports', { ingress: [{ from: [{ podSelector: {} }], ports: [] }] })], from: 'x/b', to: 'x/a', port: 12345, expect: 'allow' },
  { group: 'rules', name: 'egress: [] does not default Egress (egress side)', reason: 'policyTypes defaults to Egress only when egress rules exist; [] has none', policies: [np('x', 'empty-egress', { egress: [] })], from: 'x/a', to: 'y/a', port: 80, expect: 'allow', egress: 'allow' },
  { group: 'rules', name: 'egress: [] still defaults Ingress', reason: 'policyTypes defaults to Ingress always', policies: [np('x', 'empty-egress', { egress: [] })], from: 'y/a', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'rules', name: 'egress rules default Egress too', reason: 'with egress rules and no policyTypes, both Ingress and Egress apply', policies: [np('x', 'egress-rules', { egress: [{ to: [{ podSelector: {} }] }] })], from: 'x/a', to: 'y/a', port: 80, expect: 'deny', egress: 'deny' },
  { group: 'rules', name: 'egress rules default Ingress isolation as well', reason: 'defaulted Ingress with no ingress rules isolates the destination in x', policies: [np('x', 'egress-rules', { egress: [{ to: [{ podSelector: {} }] }] })], from: 'x/a', to: 'x/b', port: 80, expect: 'deny', egress: 'allow', ingress: 'deny' },
  { group: 'rules', name: 'policyTypes Egress ignores ingress rules', reason: 'explicit policyTypes without Ingress leaves ingress unisolated', policies: [np('x', 'egress-only', { policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'zzz' } } }] }], egress: [{}] })], from: 'y/a', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'rules', name: 'policyTypes Ingress ignores egress rules', reason: 'explicit policyTypes without Egress leaves egress unisolated', policies: [np('x', 'ingress-only', { policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ podSelector: { matchLabels: { pod: 'zzz' } } }] }] })], from: 'x/a', to: 'z/c', port: 80, expect: 'allow' },
  { group: 'rules', name: 'empty policyTypes list is defaulted', reason: 'policyTypes: [] is treated as unspecified, so Ingress applies', policies: [np('x', 'empty-types', { policyTypes: [] })], from: 'y/a', to: 'x/a', port: 80, expect: 'deny' },

  // --- pod selectors in peers ---
  { group: 'e2e', name: 'allow from same namespace (podSelector {})', reason: 'podSelector {} without namespaceSelector = every pod of the policy namespace', policies: [ingressToA('same-ns', { from: [{ podSelector: {} }] })], from: 'x/b', to: 'x/a', port: 80, expect: 'allow', deciding: ['x/same-ns'] },
  { group: 'e2e', name: 'same-namespace rule denies other namespaces', reason: 'an absent namespaceSelector means only the policy namespace', policies: [ingressToA('same-ns', { from: [{ podSelector: {} }] })], from: 'y/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'allow from pod by label', reason: 'podSelector pod=b matches x/b', policies: [fromPodB], from: 'x/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'other pod of the namespace denied', reason: 'x/c does not match podSelector pod=b', policies: [fromPodB], from: 'x/c', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'same label in another namespace denied', reason: 'podSelector alone is limited to the policy namespace', policies: [fromPodB], from: 'y/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'matchLabels needs every label', reason: 'matchLabels pairs are ANDed: x/b has pod=b but app=api, not app=web', policies: [ingressToA('two-labels', { from: [{ podSelector: { matchLabels: { pod: 'b', app: 'web' } } }] })], from: 'x/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'matchLabels with all labels present', reason: 'x/c carries both app=db and tier=backend', policies: [ingressToA('two-labels', { from: [{ podSelector: { matchLabels: { app: 'db', tier: 'backend' } } }] })], from: 'x/c', to: 'x/a', port: 80, expect: 'allow' },

  // --- namespace selectors ---
  { group: 'e2e', name: 'allow from namespace by label', reason: 'namespaceSelector ns=y matches every pod of y', policies: [fromNsY], from: 'y/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'namespace by label denies others', reason: 'namespace z is not labelled ns=y', policies: [fromNsY], from: 'z/c', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'namespace by label excludes own namespace', reason: 'an explicit namespaceSelector replaces the own-namespace default', policies: [fromNsY], from: 'x/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'allow from all namespaces', reason: 'namespaceSelector {} selects all namespaces', policies: [fromAllNs], from: 'z/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'all namespaces includes own', reason: 'namespaceSelector {} selects the policy namespace too', policies: [fromAllNs], from: 'x/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'all namespaces excludes non-pods', reason: 'selectors match pods only; an external address needs an ipBlock', policies: [fromAllNs], from: '192.168.5.5', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'namespace by the default name label', reason: 'the API server labels each namespace kubernetes.io/metadata.name=<name>', policies: [ingressToA('by-name', { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] })], from: 'y/a', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'namespace by the default name label, other ns', reason: 'namespace z is named z, not y', policies: [ingressToA('by-name', { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] })], from: 'z/a', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'namespaceSelector matchExpressions on the name label', reason: 'In [y, z] on kubernetes.io/metadata.name matches z', policies: [ingressToA('ns-expr', { from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y', 'z'] }] } }] })], from: 'z/a', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'namespaceSelector matchExpressions excludes own', reason: 'In [y, z] does not match x', policies: [ingressToA('ns-expr', { from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y', 'z'] }] } }] })], from: 'x/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'namespace label shared by two namespaces', reason: 'team=red labels both x and z', policies: [ingressToA('team-red', { from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] })], from: 'z/a', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'selectors', name: 'namespace label not shared', reason: 'y is team=blue', policies: [ingressToA('team-red', { from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] })], from: 'y/a', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'namespaceSelector NotIn', reason: 'NotIn [blue] on team matches z (red)', policies: [ingressToA('not-blue', { from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['blue'] }] } }] })], from: 'z/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'selectors', name: 'namespaceSelector Exists', reason: 'only z carries an env label', policies: [ingressToA('has-env', { from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Exists' }] } }] })], from: 'y/b', to: 'x/a', port: 80, expect: 'deny' },

  // --- AND vs OR peers (e2e) ---
  { group: 'e2e', name: 'AND peer: both selectors match', reason: 'namespaceSelector and podSelector in one peer are ANDed', policies: [andPeer], from: 'y/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'AND peer: namespace matches, pod does not', reason: 'in one peer both selectors must match', policies: [andPeer], from: 'y/c', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'AND peer: pod matches, namespace does not', reason: 'in one peer both selectors must match', policies: [andPeer], from: 'x/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'OR peers: namespace peer matches', reason: 'separate peers are ORed; ns=y matches y/c', policies: [orPeers], from: 'y/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'OR peers: pod peer matches', reason: 'separate peers are ORed; pod=b in own namespace matches x/b', policies: [orPeers], from: 'x/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'OR peers: neither matches', reason: 'x/c is neither in ns=y nor pod=b', policies: [orPeers], from: 'x/c', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'OR peers: pod peer is own-namespace only', reason: 'z/b matches pod=b but that peer is limited to x', policies: [orPeers], from: 'z/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'multiple AND peers', reason: 'a source matching any one AND-peer is allowed: (ns=z AND pod=c)', policies: [ingressToA('multi-and', { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }, { namespaceSelector: { matchLabels: { ns: 'z' } }, podSelector: { matchLabels: { pod: 'c' } } }] })], from: 'z/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'multiple AND peers, crossed', reason: 'z/b matches no single peer (ns=z goes with pod=c)', policies: [ingressToA('multi-and', { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }, { namespaceSelector: { matchLabels: { ns: 'z' } }, podSelector: { matchLabels: { pod: 'c' } } }] })], from: 'z/b', to: 'x/a', port: 80, expect: 'deny' },

  // --- matchExpressions on pods ---
  { group: 'selectors', name: 'podSelector In', reason: 'pod In [b, c] matches c', policies: [podExpr('in-bc', { key: 'pod', operator: 'In', values: ['b', 'c'] })], from: 'x/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'selectors', name: 'podSelector In, not listed', reason: 'pod In [c] does not match pod=b', policies: [podExpr('in-c', { key: 'pod', operator: 'In', values: ['c'] })], from: 'x/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'podSelector NotIn', reason: 'pod NotIn [b] matches c', policies: [podExpr('notin-b', { key: 'pod', operator: 'NotIn', values: ['b'] })], from: 'x/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'selectors', name: 'podSelector NotIn, listed', reason: 'pod NotIn [b] excludes b', policies: [podExpr('notin-b', { key: 'pod', operator: 'NotIn', values: ['b'] })], from: 'x/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'NotIn matches a missing key', reason: 'NotIn holds when the label is absent: x/b has no tier', policies: [podExpr('notin-backend', { key: 'tier', operator: 'NotIn', values: ['backend'] })], from: 'x/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'selectors', name: 'NotIn with the value present', reason: 'x/c has tier=backend', policies: [podExpr('notin-backend', { key: 'tier', operator: 'NotIn', values: ['backend'] })], from: 'x/c', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'Exists', reason: 'tier Exists matches x/c', policies: [podExpr('tier-exists', { key: 'tier', operator: 'Exists' })], from: 'x/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'selectors', name: 'Exists, label absent', reason: 'x/b has no tier label', policies: [podExpr('tier-exists', { key: 'tier', operator: 'Exists' })], from: 'x/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'DoesNotExist', reason: 'x/b has no tier label', policies: [podExpr('no-tier', { key: 'tier', operator: 'DoesNotExist' })], from: 'x/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'selectors', name: 'DoesNotExist, label present', reason: 'x/c has a tier label', policies: [podExpr('no-tier', { key: 'tier', operator: 'DoesNotExist' })], from: 'x/c', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'selectors', name: 'matchLabels AND matchExpressions', reason: 'app=db and tier Exists both hold for x/c', policies: [ingressToA('both', { from: [{ podSelector: { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] })], from: 'x/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'selectors', name: 'matchLabels AND matchExpressions, one fails', reason: 'app=api holds for x/b but tier Exists does not', policies: [ingressToA('both', { from: [{ podSelector: { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] })], from: 'x/b', to: 'x/a', port: 80, expect: 'deny' },

  // --- ports and protocols ---
  { group: 'e2e', name: 'port rule allows the listed port', reason: 'ports [{port: 80}] matches 80/TCP (protocol defaults to TCP)', policies: [portsOnA('port-80', [{ port: 80 }])], from: 'x/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'port rule denies another port', reason: '81 is not listed', policies: [portsOnA('port-80', [{ port: 80 }])], from: 'x/b', to: 'x/a', port: 81, expect: 'deny' },
  { group: 'e2e', name: 'TCP default does not cover UDP', reason: 'a port entry without protocol is TCP only', policies: [portsOnA('port-80', [{ port: 80 }])], from: 'x/b', to: 'x/a', port: 80, protocol: 'UDP', expect: 'deny' },
  { group: 'e2e', name: 'UDP rule allows UDP', reason: 'protocol UDP port 53 matches 53/UDP', policies: [portsOnA('udp-53', [{ protocol: 'UDP', port: 53 }])], from: 'y/a', to: 'x/a', port: 53, protocol: 'UDP', expect: 'allow' },
  { group: 'e2e', name: 'UDP-only policy does not allow TCP', reason: 'protocol must match: 53/TCP is not 53/UDP', policies: [portsOnA('udp-53', [{ protocol: 'UDP', port: 53 }])], from: 'y/a', to: 'x/a', port: 53, protocol: 'TCP', expect: 'deny' },
  { group: 'e2e', name: 'SCTP rule allows SCTP', reason: 'protocol SCTP port 80 matches 80/SCTP', policies: [portsOnA('sctp-80', [{ protocol: 'SCTP', port: 80 }])], from: 'x/b', to: 'x/a', port: 80, protocol: 'SCTP', expect: 'allow' },
  { group: 'e2e', name: 'SCTP rule is not TCP', reason: 'an SCTP rule still isolates the pod and does not match TCP', policies: [portsOnA('sctp-80', [{ protocol: 'SCTP', port: 80 }])], from: 'x/b', to: 'x/a', port: 80, protocol: 'TCP', expect: 'deny' },
  { group: 'e2e', name: 'any port of one protocol', reason: 'a port entry with protocol and no port matches every port of it', policies: [portsOnA('any-udp', [{ protocol: 'UDP' }])], from: 'y/b', to: 'x/a', port: 9999, protocol: 'UDP', expect: 'allow' },
  { group: 'e2e', name: 'any port of one protocol, other protocol', reason: 'protocol UDP without port does not match TCP', policies: [portsOnA('any-udp', [{ protocol: 'UDP' }])], from: 'y/b', to: 'x/a', port: 9999, protocol: 'TCP', expect: 'deny' },
  { group: 'ports', name: 'several port entries are ORed', reason: 'ports [80, 81]: 81 matches the second entry', policies: [portsOnA('80-81', [{ port: 80 }, { port: 81 }])], from: 'x/b', to: 'x/a', port: 81, expect: 'allow' },
  { group: 'ports', name: 'ports without from', reason: 'a rule with ports and no from matches any source on those ports', policies: [portsOnA('port-80', [{ port: 80 }])], from: '203.0.113.7', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'ports', name: 'from and ports both required: wrong port', reason: 'within a rule, peers and ports are ANDed', policies: [ingressToA('b-on-80', { from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] })], from: 'x/b', to: 'x/a', port: 81, expect: 'deny' },
  { group: 'ports', name: 'from and ports both required: wrong peer', reason: 'within a rule, peers and ports are ANDed', policies: [ingressToA('b-on-80', { from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] })], from: 'x/c', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'endPort range start', reason: 'port..endPort is inclusive: 8000 matches', policies: [portsOnA('range', [{ port: 8000, endPort: 8100 }])], from: 'x/b', to: 'x/a', port: 8000, expect: 'allow' },
  { group: 'e2e', name: 'endPort range end', reason: 'port..endPort is inclusive: 8100 matches', policies: [portsOnA('range', [{ port: 8000, endPort: 8100 }])], from: 'x/b', to: 'x/a', port: 8100, expect: 'allow' },
  { group: 'e2e', name: 'endPort range inside', reason: '8050 lies within 8000-8100', policies: [portsOnA('range', [{ port: 8000, endPort: 8100 }])], from: 'x/b', to: 'x/a', port: 8050, expect: 'allow' },
  { group: 'e2e', name: 'endPort range above', reason: '8101 is past endPort', policies: [portsOnA('range', [{ port: 8000, endPort: 8100 }])], from: 'x/b', to: 'x/a', port: 8101, expect: 'deny' },
  { group: 'e2e', name: 'endPort range below', reason: '7999 is before port', policies: [portsOnA('range', [{ port: 8000, endPort: 8100 }])], from: 'x/b', to: 'x/a', port: 7999, expect: 'deny' },
  { group: 'ports', name: 'endPort with UDP', reason: 'a range applies to its own protocol only', policies: [portsOnA('range-udp', [{ protocol: 'UDP', port: 5000, endPort: 5010 }])], from: 'x/b', to: 'x/a', port: 5005, protocol: 'TCP', expect: 'deny' },

  // --- named ports ---
  { group: 'e2e', name: 'ingress on one named port', reason: 'named port http resolves on the destination pod x/a to 80', policies: [portsOnA('named-http', [{ port: 'http' }])], from: 'y/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'ingress on one named port, other port', reason: '81 is the pod port alt, not http', policies: [portsOnA('named-http', [{ port: 'http' }])], from: 'y/b', to: 'x/a', port: 81, expect: 'deny' },
  { group: 'e2e', name: 'ingress from namespace on one named port', reason: 'namespaceSelector ns=y and named port http both match', policies: [ingressToA('ns-y-http', { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 'http' }] })], from: 'y/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'ports', name: 'named port resolves per destination pod', reason: 'x/c names 8080 http, so a rule on http allows 8080 there', policies: [np('x', 'named-http-all', { ingress: [{ ports: [{ port: 'http' }] }] })], from: 'y/a', to: 'x/c', port: 8080, expect: 'allow' },
  { group: 'ports', name: 'named port is not the usual number', reason: 'on x/c http is 8080, so 80 does not match', policies: [np('x', 'named-http-all', { ingress: [{ ports: [{ port: 'http' }] }] })], from: 'y/a', to: 'x/c', port: 80, expect: 'deny' },
  { group: 'ports', name: 'named port needs the right protocol (UDP connection)', reason: 'entry protocol defaults to TCP; 53/UDP does not match', policies: [portsOnA('named-dns-tcp', [{ port: 'dns' }])], from: 'y/a', to: 'x/a', port: 53, protocol: 'UDP', expect: 'deny' },
  { group: 'ports', name: 'named port needs the right protocol (TCP connection)', reason: 'the pod port named dns is UDP; no TCP port is named dns', policies: [portsOnA('named-dns-tcp', [{ port: 'dns' }])], from: 'y/a', to: 'x/a', port: 53, protocol: 'TCP', expect: 'deny' },
  { group: 'ports', name: 'named UDP port', reason: 'entry protocol UDP and pod port dns/UDP = 53', policies: [portsOnA('named-dns-udp', [{ port: 'dns', protocol: 'UDP' }])], from: 'y/a', to: 'x/a', port: 53, protocol: 'UDP', expect: 'allow' },
  { group: 'ports', name: 'connection by port name', reason: 'the connection port http resolves on x/a to 80, which the rule lists', policies: [portsOnA('port-80', [{ port: 80 }])], from: 'x/b', to: 'x/a', port: 'http', expect: 'allow' },
  { group: 'e2e', name: 'egress on one named port', reason: 'egress named ports resolve on the destination pod: y/b http = 80', policies: [egressFromA('egress-http', { ports: [{ port: 'http' }] })], from: 'x/a', to: 'y/b', port: 80, expect: 'allow' },
  { group: 'ports', name: 'egress named port, destination with another number', reason: 'x/c names 8080 http: egress to 8080 matches', policies: [egressFromA('egress-http', { ports: [{ port: 'http' }] })], from: 'x/a', to: 'x/c', port: 8080, expect: 'allow' },
  { group: 'ports', name: 'egress named port, number of another pod', reason: 'on x/c 80 is not http', policies: [egressFromA('egress-http', { ports: [{ port: 'http' }] })], from: 'x/a', to: 'x/c', port: 80, expect: 'deny' },
  { group: 'ports', name: 'egress named port to a non-pod', reason: 'a named port resolves only on a destination pod; an external address has none', policies: [egressFromA('egress-http', { ports: [{ port: 'http' }] })], from: 'x/a', to: '203.0.113.7', port: 80, expect: 'deny' },

  // --- ipBlock ---
  { group: 'e2e', name: 'ingress from a CIDR', reason: 'ipBlock 192.168.0.0/16 contains the source', policies: [ingressCidr('from-cidr', '192.168.0.0/16')], from: '192.168.5.5', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'ingress from outside the CIDR', reason: '203.0.113.7 is not in 192.168.0.0/16', policies: [ingressCidr('from-cidr', '192.168.0.0/16')], from: '203.0.113.7', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'ingress CIDR except', reason: 'addresses in except are excluded from the block', policies: [ingressCidr('from-cidr-except', '192.168.0.0/16', ['192.168.5.0/24'])], from: '192.168.5.5', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'ingress CIDR outside except', reason: '192.168.6.1 is in the CIDR and outside except', policies: [ingressCidr('from-cidr-except', '192.168.0.0/16', ['192.168.5.0/24'])], from: '192.168.6.1', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'egress to a server in a CIDR block', reason: 'ipBlock 0.0.0.0/0 contains every IPv4 address', policies: [egressCidr('to-any', '0.0.0.0/0', ['10.0.0.0/8'])], from: 'x/a', to: '203.0.113.7', port: 443, expect: 'allow' },
  { group: 'e2e', name: 'egress except clause', reason: 'y/a (10.0.2.1) lies in except 10.0.0.0/8', policies: [egressCidr('to-any', '0.0.0.0/0', ['10.0.0.0/8'])], from: 'x/a', to: 'y/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'IP in both CIDR and except allowed by another policy', reason: 'policies are additive: the /32 rule of a second policy allows what the first excepts', policies: [egressCidr('to-any', '0.0.0.0/0', ['10.0.0.0/8']), egressCidr('to-y-a', '10.0.2.1/32')], from: 'x/a', to: 'y/a', port: 80, expect: 'allow', deciding: ['x/to-y-a'] },
  { group: 'cidr', name: 'ipBlock matches pod IPs', reason: 'y/b has 10.0.2.2, inside 10.0.2.0/24', policies: [ingressCidr('pods-of-y', '10.0.2.0/24')], from: 'y/b', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'cidr', name: 'ipBlock /32', reason: 'a /32 contains exactly one address', policies: [egressCidr('one-host', '203.0.113.7/32')], from: 'x/a', to: '203.0.113.8', port: 443, expect: 'deny' },
  { group: 'cidr', name: 'ipBlock /32 exact', reason: 'a /32 contains its own address', policies: [egressCidr('one-host', '203.0.113.7/32')], from: 'x/a', to: '203.0.113.7', port: 443, expect: 'allow' },
  { group: 'cidr', name: 'IPv6 block', reason: '2001:db8::5 lies in 2001:db8::/32', policies: [egressCidr('v6', '2001:db8::/32')], from: 'x/a', to: '2001:db8::5', port: 443, expect: 'allow' },
  { group: 'cidr', name: 'IPv6 outside the block', reason: '2001:db9::1 is outside 2001:db8::/32', policies: [egressCidr('v6', '2001:db8::/32')], from: 'x/a', to: '2001:db9::1', port: 443, expect: 'deny' },
  { group: 'cidr', name: 'IPv6 except', reason: '2001:db8::5 is in except 2001:db8::/64', policies: [egressCidr('v6-except', '2001:db8::/32', ['2001:db8::/64'])], from: 'x/a', to: '2001:db8::5', port: 443, expect: 'deny' },
  { group: 'cidr', name: 'IPv4 block does not cover IPv6', reason: '0.0.0.0/0 contains IPv4 addresses only', policies: [egressCidr('v4-all', '0.0.0.0/0')], from: 'x/a', to: '2001:db8::5', port: 443, expect: 'deny' },
  { group: 'cidr', name: 'IPv6 all', reason: '::/0 contains every IPv6 address', policies: [egressCidr('v6-all', '::/0')], from: 'x/a', to: '2001:db8::5', port: 443, expect: 'allow' },

  // --- non-pod endpoints ---
  { group: 'external', name: 'external source, destination not isolated', reason: 'no policy selects x/a; an external source has no egress policy', policies: [], from: '203.0.113.7', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'external', name: 'external destination, ingress-isolated namespace', reason: 'ingress isolation of x does not touch egress to an external address', policies: [denyIngressX], from: 'x/a', to: '203.0.113.7', port: 80, expect: 'allow' },
  { group: 'external', name: 'egress podSelector rule does not match an address', reason: 'only ipBlock peers can match traffic to non-pod IPs', policies: [egressFromA('egress-pods', { to: [{ namespaceSelector: {} }] })], from: 'x/a', to: '203.0.113.7', port: 80, expect: 'deny' },
  { group: 'external', name: 'address of a known pod is that pod', reason: 'traffic from a pod IP is traffic from the pod: 10.0.2.2 is y/b', policies: [andPeer], from: '10.0.2.2', to: 'x/a', port: 80, expect: 'allow' },

  // --- multiple policies (e2e) ---
  { group: 'e2e', name: 'stacked policies with overlapping podSelectors (first)', reason: 'policies are additive: allow-b OR allow-ns-y', policies: [fromPodB, fromNsY], from: 'x/b', to: 'x/a', port: 80, expect: 'allow', deciding: ['x/allow-b'] },
  { group: 'e2e', name: 'stacked policies with overlapping podSelectors (second)', reason: 'policies are additive: allow-b OR allow-ns-y', policies: [fromPodB, fromNsY], from: 'y/c', to: 'x/a', port: 80, expect: 'allow', deciding: ['x/allow-ns-y'] },
  { group: 'e2e', name: 'stacked policies, neither allows', reason: 'the union of both policies excludes z/c', policies: [fromPodB, fromNsY], from: 'z/c', to: 'x/a', port: 80, expect: 'deny', deciding: ['x/allow-b', 'x/allow-ns-y'] },
  { group: 'e2e', name: 'allow-all ingress takes precedence over a narrower policy', reason: 'the union with ingress: [{}] allows everything', policies: [fromPodB, allowAllIngressX], from: 'z/c', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'allow-all egress takes precedence over a narrower policy', reason: 'the union with egress: [{}] allows everything', policies: [egressCidr('narrow', '192.168.0.0/16'), np('x', 'allow-all-egress', { policyTypes: ['Egress'], egress: [{}] })], from: 'x/a', to: '203.0.113.7', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'client egress deny beats server ingress allow', reason: 'a connection needs both the source egress and the destination ingress', policies: [denyEgressX, np('y', 'allow-from-x', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] })], from: 'x/a', to: 'y/b', port: 80, expect: 'deny', egress: 'deny', ingress: 'allow', deciding: ['x/deny-egress'] },
  { group: 'e2e', name: 'egress allowed, server ingress denies', reason: 'destination ingress isolation applies independently of source egress', policies: [egressFromA('to-y', { to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }), np('y', 'deny-ingress', {})], from: 'x/a', to: 'y/b', port: 80, expect: 'deny', egress: 'allow', ingress: 'deny', deciding: ['y/deny-ingress'] },
  { group: 'e2e', name: 'egress to another namespace by pod and namespace selector', reason: 'egress AND peer ns=y, pod=b matches y/b; y is not isolated', policies: [egressFromA('to-y-b', { to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] })], from: 'x/a', to: 'y/b', port: 80, expect: 'allow', deciding: ['x/to-y-b'] },
  { group: 'e2e', name: 'egress by pod and namespace selector, other pod', reason: 'y/c does not match pod=b', policies: [egressFromA('to-y-b', { to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] })], from: 'x/a', to: 'y/c', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'ingress and egress controlled independently (egress side)', reason: 'x/a egress allows y/b; y/b is not isolated', policies: [np('x', 'a-both', { podSelector: onA, policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] })], from: 'x/a', to: 'y/b', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'ingress and egress controlled independently (ingress side)', reason: 'x/a ingress is isolated with no rules even though its egress allows y/b', policies: [np('x', 'a-both', { podSelector: onA, policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] })], from: 'y/b', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'e2e', name: 'Ingress and Egress specified together', reason: 'both directions isolated; ingress from pod=b and egress to pod=b in x', policies: [np('x', 'a-io', { podSelector: onA, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }], egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })], from: 'x/a', to: 'x/b', port: 80, expect: 'allow' },
  { group: 'e2e', name: 'Ingress and Egress specified together, egress blocked', reason: 'x/a egress allows only pod=b', policies: [np('x', 'a-io', { podSelector: onA, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }], egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })], from: 'x/a', to: 'x/c', port: 80, expect: 'deny', egress: 'deny' },
  { group: 'e2e', name: 'both sides in one policy', reason: 'default-deny-all plus same-namespace allow in both directions', policies: [denyAllX, np('x', 'allow-ns', { policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] })], from: 'x/a', to: 'x/b', port: 80, expect: 'allow', deciding: ['x/allow-ns'] },

  // --- self and hostNetwork (implementation-defined; engine choices, see evaluate.ts) ---
  { group: 'self', name: 'a pod to itself under deny-all', reason: 'traffic to its own IP stays on the pod loopback; NetworkPolicy cannot block it', policies: [denyAllX], from: 'x/a', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'self', name: 'a pod to itself, evaluating the rules', reason: "with selfTraffic 'evaluate', deny-all isolates both sides", policies: [denyAllX], from: 'x/a', to: 'x/a', port: 80, expect: 'deny', options: { selfTraffic: 'evaluate' } },
  { group: 'hostNetwork', name: 'hostNetwork pod is not isolated', reason: 'policies do not select hostNetwork pods (common implementation)', policies: [denyIngressX], from: 'y/a', to: 'x/h', port: 80, expect: 'allow' },
  { group: 'hostNetwork', name: 'hostNetwork source not matched by podSelector', reason: 'a hostNetwork pod is node traffic, not a pod, for selectors', policies: [ingressToA('same-ns', { from: [{ podSelector: {} }] })], from: 'x/h', to: 'x/a', port: 80, expect: 'deny' },
  { group: 'hostNetwork', name: 'hostNetwork source matched by ipBlock of the node', reason: 'node traffic is matched by ipBlock on the node IP', policies: [ingressCidr('nodes', '172.18.0.0/16')], from: 'x/h', to: 'x/a', port: 80, expect: 'allow' },
  { group: 'hostNetwork', name: "hostNetwork as a pod (option 'pod')", reason: "with hostNetwork 'pod' the pod is matched like any other", policies: [ingressToA('same-ns', { from: [{ podSelector: {} }] })], from: 'x/h', to: 'x/a', port: 80, expect: 'allow', options: { hostNetwork: 'pod' } },
];
