// The per-run owner of netprobe's pods, one per namespace. A Lease `netprobe-<runId>` is the controller
// owner of every probe pod and echo server the run makes there: a pod with a controller owner is never
// adopted by a Deployment, ReplicaSet, DaemonSet, Job or Rollout, whatever labels it carries, and garbage
// collection deletes it once the Lease is gone. The Lease doubles as the run's heartbeat (renewed every
// 10 s; `netprobe clean` leaves runs with a fresh one alone). The Lease in turn is owned by a Job that never
// starts a pod (parallelism 0) and fails at the run's deadline; the TTL controller then deletes the Job, and
// garbage collection removes the Lease and, through it, the pods: so a SIGKILLed run cleans up after itself.
// (A Job cannot own the pods itself: a Job releases owned pods its selector does not match.)
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import { isNotFound } from './errors.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL } from './labels.ts';
import { deleteLeases } from './leftovers.ts';

/** An ownerReference of a netprobe pod (the run's Lease): what makes the garbage collector delete it. */
export interface PodOwner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export const LEASE_DURATION_SECONDS = 30;
export const RENEW_INTERVAL_MS = 10_000;
export const HOLDER_IDENTITY = 'netprobe';
/** The expiry Job outlives the pods' own deadline by this much: pods start a little after it. */
const EXPIRY_MARGIN_SECONDS = 60;
const UID = 65532;

export function anchorName(runId: string): string {
  return `netprobe-${runId}`;
}

function runLabels(runId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RUN_LABEL]: runId };
}

/** A Job that never runs a pod and fails at the run's deadline, after which the TTL controller deletes it. */
export function expiryJob(runId: string, namespace: string, deadlineSeconds: number, image: string): k8s.V1Job {
  const security = { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, seccompProfile: { type: 'RuntimeDefault' } };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: anchorName(runId), namespace, labels: runLabels(runId) },
    spec: {
      parallelism: 0,
      activeDeadlineSeconds: deadlineSeconds + EXPIRY_MARGIN_SECONDS,
      ttlSecondsAfterFinished: 0,
      backoffLimit: 0,
      template: {
        // Never instantiated; valid and Pod Security "restricted" all the same.
        metadata: { labels: runLabels(runId) },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: security,
          containers: [
            {
              name: 'never-runs',
              image,
              command: ['/bin/false'],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                ...security,
              },
            },
          ],
        },
      },
    },
  };
}

/** The run's anchor in one namespace, owned by its expiry Job. */
export function anchorLease(runId: string, namespace: string, job: { name: string; uid: string }, now: Date): k8s.V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: anchorName(runId),
      namespace,
      labels: runLabels(runId),
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.name, uid: job.uid }],
    },
    spec: {
      holderIdentity: HOLDER_IDENTITY,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      acquireTime: new k8s.V1MicroTime(now.getTime()),
      renewTime: new k8s.V1MicroTime(now.getTime()),
    },
  };
}

export interface RunAnchors {
  /** The owner of the run's pods, by namespace. */
  owners: Map<string, PodOwner>;
  /** Stops the heartbeat and deletes the Leases and Jobs (the pods go with them). */
  release(): Promise<void>;
}

export interface AnchorOptions {
  deadlineSeconds: number;
  image: string;
}

/** Creates the Job and Lease of a run in each namespace, and renews the Leases until released. */
export async function createRunAnchors(kc: k8s.KubeConfig, runId: string, namespaces: readonly string[], opts: AnchorOptions): Promise<RunAnchors> {
  const batch = apiClient(kc, k8s.BatchV1Api);
  const coordination = apiClient(kc, k8s.CoordinationV1Api);
  const owners = new Map<string, PodOwner>();
  const leases = new Map<string, string>();
  const release = async () => {
    clearInterval(timer);
    await deleteRunAnchors(kc, runId, [...new Set(namespaces)]);
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.all(
      [...new Set(namespaces)].map(async (namespace) => {
        const name = anchorName(runId);
        const job = await withUid(await batch.createNamespacedJob({ namespace, body: expiryJob(runId, namespace, opts.deadlineSeconds, opts.image) }), () => batch.readNamespacedJob({ namespace, name }));
        const lease = anchorLease(runId, namespace, { name, uid: job.metadata!.uid! }, new Date());
        const created = await withUid(await coordination.createNamespacedLease({ namespace, body: lease }), () => coordination.readNamespacedLease({ namespace, name }));
        leases.set(namespace, name);
        owners.set(namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name, uid: created.metadata!.uid! });
      }),
    );
  } catch (err) {
    await release().catch(() => undefined);
    throw err;
  }
  timer = setInterval(() => void renew(coordination, leases), RENEW_INTERVAL_MS);
  timer.unref();
  return { owners, release };
}

/** A create retried after its first try took effect answers with what was sent, without a uid: read it back. */
async function withUid<T extends { metadata?: k8s.V1ObjectMeta }>(created: T, read: () => Promise<T>): Promise<T> {
  return created.metadata?.uid ? created : read();
}

/**
 * A merge patch of renewTime alone: no resourceVersion to track. A missed renewal is retried at the next
 * tick; a stale Lease only lets `clean` treat the run as over.
 */
async function renew(coordination: k8s.CoordinationV1Api, names: ReadonlyMap<string, string>): Promise<void> {
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  await Promise.all(
    [...names].map(async ([namespace, name]) => {
      const body = { spec: { renewTime: new k8s.V1MicroTime(Date.now()) } };
      await coordination.patchNamespacedLease({ namespace, name, body }, merge).catch(() => undefined);
    }),
  );
}

/** Deletes a run's Lease and Job in each namespace; the pods they own go with them. Already gone is fine. */
export async function deleteRunAnchors(kc: k8s.KubeConfig, runId: string, namespaces: readonly string[]): Promise<void> {
  const named = namespaces.map((namespace) => ({ namespace, name: anchorName(runId) }));
  await Promise.all([deleteLeases(kc, named), deleteExpiryJobs(kc, named)]);
}

/**
 * Deletes the expiry Job of each run Lease given (same namespace and name); already gone is fine.
 * Background: the API's default for Jobs is to orphan their dependents.
 */
export async function deleteExpiryJobs(kc: k8s.KubeConfig, leases: readonly { namespace: string; name: string }[]): Promise<void> {
  const batch = apiClient(kc, k8s.BatchV1Api);
  await Promise.all(
    leases.map((l) =>
      batch.deleteNamespacedJob({ namespace: l.namespace, name: l.name, propagationPolicy: 'Background' }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      }),
    ),
  );
}
