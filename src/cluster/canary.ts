// What `netprobe doctor` needs from the API besides pods: the server version, a temporary namespace, a
// NetworkPolicy in it, and removing netprobe's namespaces (doctor's, also for `netprobe clean`).
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import { isNotFound } from './errors.ts';

export async function serverVersion(kc: k8s.KubeConfig): Promise<string> {
  const v = await apiClient(kc, k8s.VersionApi).getCode();
  return v.gitVersion;
}

export async function createNamespace(kc: k8s.KubeConfig, name: string, labels: Record<string, string>): Promise<void> {
  await apiClient(kc, k8s.CoreV1Api).createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } });
}

/** Deletes a namespace (and so everything in it); a namespace already gone is fine. */
export async function deleteNamespace(kc: k8s.KubeConfig, name: string): Promise<void> {
  try {
    await apiClient(kc, k8s.CoreV1Api).deleteNamespace({ name, gracePeriodSeconds: 0 });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** A NetworkPolicy that selects pods with `podLabels` and allows nothing in `direction`. */
export async function createDenyPolicy(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  podLabels: Record<string, string>,
  direction: 'Ingress' | 'Egress',
  labels: Record<string, string>,
): Promise<void> {
  await apiClient(kc, k8s.NetworkingV1Api).createNamespacedNetworkPolicy({
    namespace,
    body: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace, labels },
      spec: { podSelector: { matchLabels: podLabels }, policyTypes: [direction] },
    },
  });
}

export async function deletePolicy(kc: k8s.KubeConfig, namespace: string, name: string): Promise<void> {
  try {
    await apiClient(kc, k8s.NetworkingV1Api).deleteNamespacedNetworkPolicy({ namespace, name });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
