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

/** Polls the pod until the ephemeral container runs (the pod's IP is then the probes' source) or cannot. */
export async function waitForEphemeral(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  container: string,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<PodState> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const started = Date.now();
  let last = 'no status';
  let delay = 200;
  while (!signal.aborted) {
    let pod: k8s.V1Pod;
    try {
      pod = await core.readNamespacedPod({ name, namespace });
    } catch (err) {
      return { ready: false, reason: `could not read pod ${namespace}/${name}: ${apiErrorMessage(err)}` };
    }
    const problem = ephemeralProblem(pod, container);
    if (!problem && pod.status?.podIP) return { ready: true, ip: pod.status.podIP };
    if (problem?.final) return { ready: false, reason: problem.reason };
    if (problem) last = problem.reason;
    if (Date.now() - started > deadlineMs) break;
    await sleep(delay, signal);
    delay = Math.min(500, delay * 1.5);
  }
  return { ready: false, reason: `${signal.aborted ? 'the run was interrupted' : `not running after ${Math.round(deadlineMs / 1000)} s`}: ${last}` };
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
