// Source identities: what a NetworkPolicy can tell apart about a sender is its namespace, its labels and
// (for some CNIs) its service account. Pods that share all three are one identity and need one probe pod.
import type { PodInfo } from '../cluster/types.ts';
import type { SourceIdentity } from './types.ts';

/** Labels that differ per replica or revision; policies do not select on them, so they are dropped. */
const PER_REPLICA_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
]);

export function identityLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    if (!PER_REPLICA_LABELS.has(key)) out[key] = labels[key]!;
  }
  return out;
}

export function identityKey(namespace: string, labels: Record<string, string>, serviceAccount: string): string {
  const l = Object.entries(identityLabels(labels))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${namespace}|${serviceAccount}|${l}`;
}

export function makeIdentity(
  namespace: string,
  labels: Record<string, string>,
  serviceAccount: string,
  standsFor: string,
): SourceIdentity {
  return {
    key: identityKey(namespace, labels, serviceAccount),
    namespace,
    labels: identityLabels(labels),
    serviceAccount,
    standsFor,
  };
}

/** One representative per distinct identity among `pods`, in a stable order. */
export function distinctIdentities(pods: readonly PodInfo[]): PodInfo[] {
  const seen = new Map<string, PodInfo>();
  for (const pod of [...pods].sort((a, b) => a.name.localeCompare(b.name))) {
    const key = identityKey(pod.namespace, pod.labels, pod.serviceAccount);
    if (!seen.has(key)) seen.set(key, pod);
  }
  return [...seen.values()];
}
