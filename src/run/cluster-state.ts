// What the command pipelines read from a live cluster besides the policies (src/run/policy-inputs.ts):
// the snapshot a plan is made from, and where the Kubernetes API answers.
import type * as k8s from '@kubernetes/client-node';
import type { ClusterSnapshot } from '../model/cluster.ts';

/** The pods, Services, workloads and namespaces of these namespaces, without netprobe's own pods. */
export async function readClusterSnapshot(kc: k8s.KubeConfig, namespaces: readonly string[]): Promise<ClusterSnapshot> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { readSnapshot } = await import('../cluster/read.ts');
  return readSnapshot(kc, [...namespaces]);
}

/** The Kubernetes API's Service address and endpoints, and what could not be read of them. */
export async function readKubeApi(kc: k8s.KubeConfig): Promise<{ addresses: { host: string; port: number }[]; problems: string[] }> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { readKubeApiAddresses } = await import('../cluster/incident.ts');
  return readKubeApiAddresses(kc);
}
