// Creating netprobe's pods, waiting until they can be used, and removing them.
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import pLimit from 'p-limit';
import { isNotFound } from './errors.ts';
import { runSelector } from './labels.ts';
import { sleep } from '../util/sleep.ts';
import { createRefusal, unschedulable, type StartFailureKind } from './start-failure.ts';

/**
 * A pod whose containers are ready (with its IP), or why it never will be; `kind` when the cluster said so
 * at once (src/cluster/start-failure.ts): `capacity` may clear once other pods are gone.
 */
export type PodState = { ready: true; ip: string } | { ready: false; reason: string; kind?: StartFailureKind };

/** A pod that will not start, and why. */
export interface CreateFailure {
  reason: string;
  kind: StartFailureKind;
}

export async function createPods(kc: k8s.KubeConfig, pods: readonly k8s.V1Pod[], concurrency: number): Promise<Map<string, CreateFailure>> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const limit = pLimit(concurrency);
  const failures = new Map<string, CreateFailure>();
  await Promise.all(
    pods.map((pod) =>
      limit(async () => {
        try {
          await core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod });
        } catch (err) {
          failures.set(podId(pod), createRefusal(err));
        }
      }),
    ),
  );
  return failures;
}

export function podId(pod: { metadata?: { namespace?: string; name?: string } }): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/** Waiting reasons that will not fix themselves: report them at once instead of waiting out the deadline. */
const HOPELESS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
  'RunContainerError',
]);

/** Why a pod is not (yet) usable; `final` when waiting longer will not help. */
export function podProblem(pod: k8s.V1Pod): { reason: string; final: boolean; kind?: StartFailureKind } | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') {
    return { reason: `pod ended (${phase}${pod.status?.reason ? `: ${pod.status.reason}` : ''}${pod.status?.message ? ` ${pod.status.message}` : ''})`, final: true };
  }
  for (const cs of pod.status?.containerStatuses ?? []) {
    const w = cs.state?.waiting;
    if (w?.reason && HOPELESS.has(w.reason)) {
      return { reason: `container ${cs.name}: ${w.reason}${w.message ? `: ${w.message}` : ''} (image ${cs.image})`, final: true };
    }
    const t = cs.state?.terminated;
    if (t) return { reason: `container ${cs.name} exited ${t.exitCode} (${t.reason ?? 'terminated'})`, final: true };
  }
  // The scheduler has tried every node and said no: it retries only when the cluster changes, and a start
  // timeout is no reason to expect that (the runner may try the pod again in a later wave).
  const refused = unschedulable(pod);
  if (refused) return { ...refused, final: true };
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') return { reason: `not scheduled: ${scheduled.message ?? scheduled.reason ?? 'Pending'}`, final: false };
  if (phase === 'Pending') return { reason: 'Pending (container not started)', final: false };
  return { reason: 'not Ready', final: false };
}

/**
 * netprobe's pods are usable once their containers are ready. Their Ready condition never turns True (a
 * readiness gate nobody sets, src/probe/podspec.ts), so that no Service ever routes to them.
 */
export function containersReady(pod: k8s.V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'ContainersReady' && c.status === 'True') === true;
}

export interface WaitOptions {
  deadlineMs: number;
  signal: AbortSignal;
  /** Called once per pod, as soon as it is Ready or hopeless: callers start using pods one by one. */
  onFinal?: (id: string, state: PodState) => void;
}

/**
 * Polls this run's pods (one list call per namespace and round, however many pods) until each is Ready or hopeless,
 * or the deadline passes. Returns the state of every expected pod by "namespace/name".
 */
export async function waitForPods(
  kc: k8s.KubeConfig,
  runId: string,
  expected: readonly string[],
  namespaces: readonly string[],
  opts: WaitOptions,
): Promise<Map<string, PodState>> {
  const core = apiClient(kc, k8s.CoreV1Api, { signal: opts.signal });
  const states = new Map<string, PodState>();
  const settle = (id: string, state: PodState) => {
    states.set(id, state);
    opts.onFinal?.(id, state);
  };
  const lastProblem = new Map<string, string>();
  const started = Date.now();
  let delay = 200;
  while (!opts.signal.aborted) {
    const lists = await Promise.all(
      [...new Set(namespaces)].map((namespace) => core.listNamespacedPod({ namespace, labelSelector: runSelector(runId) })),
    );
    const byId = new Map(lists.flatMap((l) => l.items).map((p) => [podId(p), p]));
    for (const id of expected) {
      if (states.has(id)) continue;
      const pod = byId.get(id);
      if (!pod) {
        lastProblem.set(id, 'pod not found (deleted?)');
        continue;
      }
      if (containersReady(pod) && pod.status?.podIP) {
        settle(id, { ready: true, ip: pod.status.podIP });
        continue;
      }
      const problem = podProblem(pod);
      if (problem?.final) settle(id, { ready: false, reason: problem.reason, ...(problem.kind ? { kind: problem.kind } : {}) });
      else if (problem) lastProblem.set(id, problem.reason);
    }
    if (states.size === expected.length) break;
    if (Date.now() - started > opts.deadlineMs) break;
    await sleep(delay, opts.signal);
    // Up to half a second between rounds: every pod's wait ends at most that long after it is Ready.
    delay = Math.min(500, delay * 1.5);
  }
  for (const id of expected) {
    if (!states.has(id)) {
      const why = opts.signal.aborted ? 'the run was interrupted' : `not Ready after ${Math.round(opts.deadlineMs / 1000)} s`;
      settle(id, { ready: false, reason: `${why}: ${lastProblem.get(id) ?? 'no status'}` });
    }
  }
  return states;
}

/**
 * Cleanup keeps retrying a passing failure (throttling, an API server restart) this long: longer than a
 * run's own calls, since what it fails to delete stays until the pods' deadline.
 */
export const CLEANUP_BUDGET_MS = 90_000;

/** Deletes every pod of a run in the given namespaces. */
export async function deleteRunPods(kc: k8s.KubeConfig, runId: string, namespaces: readonly string[]): Promise<void> {
  const core = apiClient(kc, k8s.CoreV1Api, { budgetMs: CLEANUP_BUDGET_MS });
  const labelSelector = runSelector(runId);
  await Promise.all(
    [...new Set(namespaces)].map(async (namespace) => {
      try {
        await core.deleteCollectionNamespacedPod({ namespace, labelSelector, gracePeriodSeconds: 0 });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }),
  );
}

/**
 * Waits until no pod of the run is left in these namespaces (a pod being deleted still holds its node slot
 * and its quota), or the deadline passes. True when they are gone.
 */
export async function waitRunPodsGone(kc: k8s.KubeConfig, runId: string, namespaces: readonly string[], deadlineMs: number, signal: AbortSignal): Promise<boolean> {
  const core = apiClient(kc, k8s.CoreV1Api, { signal });
  const until = Date.now() + deadlineMs;
  let delay = 100;
  while (!signal.aborted) {
    const lists = await Promise.all([...new Set(namespaces)].map((namespace) => core.listNamespacedPod({ namespace, labelSelector: runSelector(runId) })));
    if (lists.every((l) => l.items.length === 0)) return true;
    if (Date.now() > until) return false;
    await sleep(delay, signal);
    delay = Math.min(500, delay * 1.5);
  }
  return false;
}
