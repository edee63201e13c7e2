// What runs left in the cluster, for `netprobe clean`: netprobe's pods, the runs' heartbeat Leases,
// ephemeral containers still running, doctor's namespaces, each with its run id and when it ends.
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import { isNotFound } from './errors.ts';
import { runningEphemeralContainers, type RunningEphemeral } from './ephemeral.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL, runSelector } from './labels.ts';
import type { Ending, Heartbeat } from './run-state.ts';

export interface LeftoverPod extends Ending {
  namespace: string;
  name: string;
}

export interface LeftoverLease extends Heartbeat {
  namespace: string;
  name: string;
}

export interface Leftovers {
  pods: LeftoverPod[];
  leases: LeftoverLease[];
  ephemeral: RunningEphemeral[];
  /** doctor's temporary namespaces (not looked for with a namespace scope). */
  namespaces: { name: string; runId: string }[];
}

export interface Scope {
  namespace?: string | undefined;
  runId?: string | undefined;
}

/** A pod ends by itself at creation + activeDeadlineSeconds; a pod that already ended, at its creation. */
export function podEnd(pod: k8s.V1Pod): Date | undefined {
  const created = pod.metadata?.creationTimestamp;
  if (!created) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return new Date(created);
  const deadline = pod.spec?.activeDeadlineSeconds;
  return deadline === undefined ? undefined : new Date(new Date(created).getTime() + deadline * 1000);
}

export async function findLeftovers(kc: k8s.KubeConfig, scope: Scope): Promise<Leftovers> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const coordination = apiClient(kc, k8s.CoordinationV1Api);
  const labelSelector = runSelector(scope.runId);
  const managed = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${labelSelector}`;
  const { namespace } = scope;
  const [pods, leases, ephemeral, namespaces] = await Promise.all([
    namespace ? core.listNamespacedPod({ namespace, labelSelector }) : core.listPodForAllNamespaces({ labelSelector }),
    namespace ? coordination.listNamespacedLease({ namespace, labelSelector: managed }) : coordination.listLeaseForAllNamespaces({ labelSelector: managed }),
    runningEphemeralContainers(kc, namespace),
    namespace ? Promise.resolve({ items: [] as k8s.V1Namespace[] }) : core.listNamespace({ labelSelector: managed }),
  ]);
  const runOf = (o: { metadata?: k8s.V1ObjectMeta }) => o.metadata?.labels?.[RUN_LABEL] ?? '';
  return {
    pods: pods.items.map((p) => {
      const endsAt = podEnd(p);
      return { namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', runId: runOf(p), ...(endsAt ? { endsAt } : {}) };
    }),
    leases: leases.items.map((l) => ({
      namespace: l.metadata?.namespace ?? '',
      name: l.metadata?.name ?? '',
      runId: runOf(l),
      ...(l.spec?.renewTime ? { renewTime: new Date(l.spec.renewTime) } : {}),
      ...(l.spec?.leaseDurationSeconds !== undefined ? { durationSeconds: l.spec.leaseDurationSeconds } : {}),
    })),
    ephemeral: ephemeral.filter((e) => !scope.runId || e.runId === scope.runId),
    namespaces: namespaces.items.map((n) => ({ name: n.metadata?.name ?? '', runId: runOf(n) })),
  };
}

/** Deletes the Leases given (a run's heartbeat once the run is over); already gone is fine. */
export async function deleteLeases(kc: k8s.KubeConfig, leases: readonly { namespace: string; name: string }[]): Promise<void> {
  const coordination = apiClient(kc, k8s.CoordinationV1Api);
  await Promise.all(
    leases.map((l) =>
      coordination.deleteNamespacedLease({ namespace: l.namespace, name: l.name }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      }),
    ),
  );
}
