// The shared model cluster of the policy corpus: namespaces x, y, z, each with pods a, b, c, plus a
// hostNetwork pod and a few external addresses. Every case reads its expectation against this world.

import type { NetworkPolicy, PolicySpec } from '../../../src/policy/types.ts';
import type { NamespaceInfo, PodInfo } from '../../../src/model/cluster.ts';

export const namespaces: NamespaceInfo[] = [
  { name: 'x', labels: { ns: 'x', team: 'red' } },
  { name: 'y', labels: { ns: 'y', team: 'blue' } },
  { name: 'z', labels: { ns: 'z', team: 'red', env: 'prod' } },
];

const standardPorts = [
  { name: 'http', port: 80, protocol: 'TCP' as const },
  { name: 'alt', port: 81, protocol: 'TCP' as const },
  { name: 'dns', port: 53, protocol: 'UDP' as const },
  { name: 'sctp', port: 80, protocol: 'SCTP' as const },
];

const podLabels: Record<string, Record<string, string>> = {
  a: { pod: 'a', app: 'web' },
  b: { pod: 'b', app: 'api' },
  c: { pod: 'c', app: 'db', tier: 'backend' },
};

function makePods(): PodInfo[] {
  const out: PodInfo[] = [];
  ['x', 'y', 'z'].forEach((ns, n) => {
    ['a', 'b', 'c'].forEach((name, i) => {
      out.push({
        namespace: ns,
        name,
        labels: podLabels[name]!,
        ips: [`10.0.${n + 1}.${i + 1}`, `fd00::${n + 1}:${i + 1}`],
        // Pod c serves its `http` port on 8080: named ports must resolve per destination pod.
        containerPorts: name === 'c' ? [{ name: 'http', port: 8080, protocol: 'TCP' }, ...standardPorts.slice(1)] : standardPorts,
      });
    });
  });
  out.push({
    namespace: 'x',
    name: 'h',
    labels: { pod: 'h' },
    ips: ['172.18.0.2'],
    containerPorts: [{ name: 'http', port: 80, protocol: 'TCP' }],
    hostNetwork: true,
  });
  return out;
}

export const pods: PodInfo[] = makePods();

export function pod(ref: string): PodInfo {
  const [ns, name] = ref.split('/');
  const p = pods.find((q) => q.namespace === ns && q.name === name);
  if (p === undefined) throw new Error(`no pod ${ref} in the world`);
  return p;
}

export function np(namespace: string, name: string, spec: Partial<PolicySpec>): NetworkPolicy {
  return { metadata: { namespace, name }, spec: { podSelector: {}, ...spec } };
}
