// Source identities: what a NetworkPolicy can tell apart about a sender is its namespace, its labels and
// (for some CNIs) its service account. Pods that share all three are one identity and need one probe pod.
import type { LivePod } from '../model/cluster.ts';
import type { SourceIdentity } from './types.ts';

/**
 * Labels a controller writes on its own pods: per replica or revision, or the controller's claim on them.
 * netprobe's pods never carry them: a controller whose selector uses one could adopt the pod (a Job through
 * its controller-uid, a ReplicaSet or Argo Rollout through its template hash) and then delete it or scale a
 * real replica down. Dropped labels are reported, and checked against the policies (src/run/dropped-labels.ts).
 */
const CONTROLLER_LABELS = new Set([
  'pod-template-hash',
  'rollouts-pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'job-name',
]);
/** Every label under this prefix is the Job controller's (controller-uid, job-name, completion index, ...). */
const CONTROLLER_PREFIXES = ['batch.kubernetes.io/'];

/**
 * Controller labels whose values are stable names people write policies for (`job-name: nightly`), as
 * opposed to per-revision hashes and uids: when the policies cannot be read, a source that lost one of
 * these cannot be vouched for.
 */
const NAMING_LABELS = new Set(['job-name', 'batch.kubernetes.io/job-name']);

export function isControllerLabel(key: string): boolean {
  return CONTROLLER_LABELS.has(key) || CONTROLLER_PREFIXES.some((p) => key.startsWith(p));
}

export function isNamingControllerLabel(key: string): boolean {
  return NAMING_LABELS.has(key);
}

/** The labels a pod standing for one with `labels` carries: all but the controllers' own, in key order. */
export function identityLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    if (!isControllerLabel(key)) out[key] = labels[key]!;
  }
  return out;
}

/** The controller labels among `labels` (the ones identityLabels leaves out), in key order. */
export function controllerLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    if (isControllerLabel(key)) out[key] = labels[key]!;
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
  const identity: SourceIdentity = {
    key: identityKey(namespace, labels, serviceAccount),
    namespace,
    labels: identityLabels(labels),
    serviceAccount,
    standsFor,
  };
  const dropped = controllerLabels(labels);
  if (Object.keys(dropped).length > 0) identity.droppedLabels = dropped;
  return identity;
}

/** One representative per distinct identity among `pods`, in a stable order. */
export function distinctIdentities<P extends LivePod>(pods: readonly P[]): P[] {
  const seen = new Map<string, P>();
  for (const pod of [...pods].sort((a, b) => a.name.localeCompare(b.name))) {
    const key = identityKey(pod.namespace, pod.labels, pod.serviceAccount);
    if (!seen.has(key)) seen.set(key, pod);
  }
  return [...seen.values()];
}
