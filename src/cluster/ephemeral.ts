// Ephemeral containers: netprobe's way to probe from inside a real pod of a workload, with that pod's own
// address, labels and service account. The API cannot remove an ephemeral container again: it stays in
// the pod spec (stopped) until the pod is replaced, which is why this is only done when the user asks.
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import { apiErrorMessage, isConflict } from './errors.ts';
import { podProblem, type PodState } from './pods.ts';
import { sleep } from '../util/sleep.ts';

/** Adds the container to the pod's ephemeral containers (retrying when the pod changed meanwhile). */
export async function addEphemeralContainer(kc: k8s.KubeConfig, namespace: string, name: string, container: k8s.V1EphemeralContainer): Promise<string | undefined> {
  const core = apiClient(kc, k8s.CoreV1Api);
  for (let attempt = 0; ; attempt++) {
    try {
      const pod = await core.readNamespacedPod({ name, namespace });
      pod.spec!.ephemeralContainers = [...(pod.spec!.ephemeralContainers ?? []).filter((c) => c.name !== container.name), container];
      await core.replaceNamespacedPodEphemeralcontainers({ name, namespace, body: pod });
      return undefined;
    } catch (err) {
      if (isConflict(err) && attempt < 3) continue;
      return `could not add an ephemeral container: ${apiErrorMessage(err)}`;
    }
  }
}

/** Why an ephemeral container is not running yet; `final` when waiting longer will not help. */
function ephemeralProblem(pod: k8s.V1Pod, container: string): { reason: string; final: boolean } | undefined {
  const ended = podProblem({ ...pod, status: { ...pod.status, containerStatuses: [] } });
  if (ended?.final) return ended;
  const status = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === container);
  if (!status) return { reason: 'ephemeral container not started yet', final: false };
  if (status.state?.running) return undefined;
  return podProblem({ status: { phase: 'Running', containerStatuses: [status] } }) ?? { reason: 'ephemeral container not running yet', final: false };
}

/** Where an ephemeral container is: its pod, the container's name, how long to wait, and the run's signal. */
export interface EphemeralAt {
  namespace: string;
  name: string;
  container: string;
  deadlineMs: number;
  signal: AbortSignal;
}

/**
 * Reads the pod every 200-500 ms until `step` has an answer for it. `timedOut` (the deadline passed or the
 * run was aborted) and `unreadable` (the pod could not be read) make the answer otherwise.
 */
async function pollPod<T>(kc: k8s.KubeConfig, at: EphemeralAt, step: (pod: k8s.V1Pod) => Promise<T | undefined> | T | undefined, timedOut: () => T, unreadable: (why: string) => T): Promise<T> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const started = Date.now();
  let delay = 200;
  while (!at.signal.aborted) {
    let pod: k8s.V1Pod;
    try {
      pod = await core.readNamespacedPod({ name: at.name, namespace: at.namespace });
    } catch (err) {
      return unreadable(`could not read pod ${at.namespace}/${at.name}: ${apiErrorMessage(err)}`);
    }
    const answer = await step(pod);
    if (answer !== undefined) return answer;
    if (Date.now() - started > at.deadlineMs) break;
    await sleep(delay, at.signal);
    delay = Math.min(500, delay * 1.5);
  }
  return timedOut();
}

/** Polls the pod until the ephemeral container runs (the pod's IP is then the probes' source) or cannot. */
export async function waitForEphemeral(kc: k8s.KubeConfig, at: EphemeralAt): Promise<PodState> {
  let last = 'no status';
  return pollPod<PodState>(
    kc,
    at,
    (pod) => {
      const problem = ephemeralProblem(pod, at.container);
      if (!problem && pod.status?.podIP) return { ready: true, ip: pod.status.podIP };
      if (problem?.final) return { ready: false, reason: problem.reason };
      if (problem) last = problem.reason;
      return undefined;
    },
    () => ({ ready: false, reason: `${at.signal.aborted ? 'the run was interrupted' : `not running after ${Math.round(at.deadlineMs / 1000)} s`}: ${last}` }),
    (reason) => ({ ready: false, reason }),
  );
}

/**
 * The output of an ephemeral container that runs to its end (--verify-targets): polls until it
 * terminated, then reads its log. A reason instead when it did not run, failed, or the log is unreadable.
 */
export async function ephemeralOutput(kc: k8s.KubeConfig, at: EphemeralAt): Promise<{ stdout: string } | { reason: string }> {
  const core = apiClient(kc, k8s.CoreV1Api);
  let last = 'not started yet';
  return pollPod<{ stdout: string } | { reason: string }>(
    kc,
    at,
    async (pod) => {
      const status = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === at.container);
      const ended = status?.state?.terminated;
      if (ended !== undefined) {
        if (ended.exitCode !== 0) return { reason: `the ephemeral container ${at.container} exited ${ended.exitCode}${ended.reason ? ` (${ended.reason})` : ''}` };
        return core.readNamespacedPodLog({ name: at.name, namespace: at.namespace, container: at.container }).then(
          (stdout) => ({ stdout }),
          (err: unknown) => ({ reason: `could not read the log of ${at.container}: ${apiErrorMessage(err)}` }),
        );
      }
      const problem = status === undefined ? undefined : podProblem({ status: { phase: 'Running', containerStatuses: [status] } });
      if (problem?.final) return { reason: problem.reason };
      if (status?.state?.waiting?.reason !== undefined) last = status.state.waiting.reason;
      return undefined;
    },
    () => ({ reason: at.signal.aborted ? 'the run was interrupted' : `the ephemeral container ${at.container} did not finish within ${Math.round(at.deadlineMs / 1000)} s (${last})` }),
    (reason) => ({ reason }),
  );
}

/** A netprobe ephemeral container that is still running, and the run it belongs to. */
export interface RunningEphemeral {
  namespace: string;
  pod: string;
  container: string;
  runId: string;
  /** When it ends by itself: its start + the `sleep --for` it was given (the run's deadline). */
  endsAt?: Date;
}

/** The end of a running netprobe ephemeral container's sleep (`sleep --for 123s`), if it says. */
function sleepEnd(pod: k8s.V1Pod, status: k8s.V1ContainerStatus): Date | undefined {
  const command = pod.spec?.ephemeralContainers?.find((c) => c.name === status.name)?.command ?? [];
  const seconds = Number(/^(\d+)s$/.exec(command[command.indexOf('--for') + 1] ?? '')?.[1]);
  const started = status.state?.running?.startedAt;
  return started && command.includes('--for') && Number.isFinite(seconds) ? new Date(new Date(started).getTime() + seconds * 1000) : undefined;
}

/** netprobe's ephemeral containers (named `netprobe-RUNID`) still running, in one namespace or all. */
export async function runningEphemeralContainers(kc: k8s.KubeConfig, namespace?: string): Promise<RunningEphemeral[]> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const pods = namespace ? await core.listNamespacedPod({ namespace }) : await core.listPodForAllNamespaces({});
  return pods.items.flatMap((p) =>
    (p.status?.ephemeralContainerStatuses ?? []).flatMap((s) => {
      const m = /^netprobe-([0-9a-f]{6})$/.exec(s.name);
      if (!m || !s.state?.running) return [];
      const endsAt = sleepEnd(p, s);
      return [{ namespace: p.metadata!.namespace!, pod: p.metadata!.name!, container: s.name, runId: m[1]!, ...(endsAt ? { endsAt } : {}) }];
    }),
  );
}
