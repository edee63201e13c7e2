// The synthetic cluster the policy benchmarks share: 40 namespaces, 2,000 pods, 500 NetworkPolicies, from
// a seeded generator (the same cluster every time). `rand` and `pick` continue the same sequence.
import type { NetworkPolicy, NetworkPolicyPeer } from '../src/policy/types.ts';
import type { NamespaceInfo, PodInfo } from '../src/model/cluster.ts';

export const POLICIES = 500;
export const PODS = 2000;
export const NAMESPACES = 40;

let seed = 42;
export function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}
export function pick<T>(xs: readonly T[]): T {
  return xs[rand(xs.length)]!;
}

const apps = ['web', 'api', 'db', 'cache', 'queue', 'worker', 'auth', 'search', 'mail', 'billing'];
const tiers = ['front', 'middle', 'back'];
const teams = ['red', 'blue', 'green', 'gold'];

export const namespaces: NamespaceInfo[] = Array.from({ length: NAMESPACES }, (_, i) => ({
  name: `ns${i}`,
  labels: { team: pick(teams), env: i % 2 === 0 ? 'prod' : 'dev' },
}));

export const pods: PodInfo[] = Array.from({ length: PODS }, (_, i) => ({
  namespace: `ns${i % NAMESPACES}`,
  name: `pod${i}`,
  labels: { app: pick(apps), tier: pick(tiers), ...(rand(3) === 0 ? { canary: 'true' } : {}) },
  ips: [`10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`],
  containerPorts: [
    { name: 'http', port: pick([80, 8080, 9000]), protocol: 'TCP' },
    { name: 'metrics', port: 9100, protocol: 'TCP' },
    { name: 'dns', port: 53, protocol: 'UDP' },
  ],
}));

function peer(): NetworkPolicyPeer {
  switch (rand(5)) {
    case 0:
      return { podSelector: { matchLabels: { app: pick(apps) } } };
    case 1:
      return { namespaceSelector: { matchLabels: { team: pick(teams) } } };
    case 2:
      return { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { tier: pick(tiers) } } };
    case 3:
      return { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [pick(apps), pick(apps)] }, { key: 'canary', operator: 'DoesNotExist' }] } };
    default:
      return { ipBlock: { cidr: `10.${1 + rand(2)}.0.0/16`, except: [`10.1.${rand(8)}.0/24`] } };
  }
}

function ports() {
  switch (rand(4)) {
    case 0:
      return undefined;
    case 1:
      return [{ port: 'http' }];
    case 2:
      return [{ port: 8000, endPort: 9200 }];
    default:
      return [{ port: 443 }, { protocol: 'UDP' as const, port: 53 }];
  }
}

export const policies: NetworkPolicy[] = Array.from({ length: POLICIES }, (_, i) => {
  const namespace = `ns${i % NAMESPACES}`;
  if (i < NAMESPACES / 2) return { metadata: { namespace, name: `deny-${i}` }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
  const rules = () => Array.from({ length: 1 + rand(3) }, () => ({ peers: Array.from({ length: 1 + rand(3) }, peer), ports: ports() }));
  return {
    metadata: { namespace, name: `policy-${i}` },
    spec: {
      podSelector: rand(4) === 0 ? {} : { matchLabels: { app: pick(apps) } },
      ingress: rules().map((r) => ({ from: r.peers, ...(r.ports ? { ports: r.ports } : {}) })),
      ...(rand(2) === 0 ? { egress: rules().map((r) => ({ to: r.peers, ...(r.ports ? { ports: r.ports } : {}) })) } : {}),
    },
  };
});
