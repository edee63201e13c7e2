// The cluster as the runner sees it: one interface, so the runner's start, settle, probe and collect
// steps run against the live API (liveCluster) or, in unit tests, against an in-memory fake that can
// fail on demand (test/unit/support/fake-cluster.ts).
import type * as k8s from '@kubernetes/client-node';
import { addEphemeralContainer, ephemeralOutput, waitForEphemeral, type EphemeralAt } from './ephemeral.ts';
import { execInPod, type ExecResult } from './exec.ts';
import { createPods, waitForPods, type CreateFailure, type PodState, type WaitOptions } from './pods.ts';

export interface ClusterPort {
  /** Creates the pods; the ones that could not be created, by pod id, with why. */
  createPods(pods: readonly k8s.V1Pod[], concurrency: number): Promise<Map<string, CreateFailure>>;
  /** Waits until each pod is Ready or hopeless, calling `onFinal` once per pod. */
  waitForPods(runId: string, ids: readonly string[], namespaces: readonly string[], opts: WaitOptions): Promise<Map<string, PodState>>;
  exec(namespace: string, pod: string, container: string, command: string[], timeoutMs: number, stdin?: string): Promise<ExecResult>;
  /** Adds an ephemeral container; why it failed, or undefined. */
  addEphemeralContainer(namespace: string, pod: string, container: k8s.V1EphemeralContainer): Promise<string | undefined>;
  waitForEphemeral(at: EphemeralAt): Promise<PodState>;
  /** What a run-to-completion ephemeral container printed, once it has ended. */
  ephemeralOutput(at: EphemeralAt): Promise<{ stdout: string } | { reason: string }>;
}

export function liveCluster(kc: k8s.KubeConfig): ClusterPort {
  return {
    createPods: (pods, concurrency) => createPods(kc, pods, concurrency),
    waitForPods: (runId, ids, namespaces, opts) => waitForPods(kc, runId, ids, namespaces, opts),
    exec: (namespace, pod, container, command, timeoutMs, stdin) => execInPod(kc, namespace, pod, container, command, timeoutMs, stdin),
    addEphemeralContainer: (namespace, pod, container) => addEphemeralContainer(kc, namespace, pod, container),
    waitForEphemeral: (at) => waitForEphemeral(kc, at),
    ephemeralOutput: (at) => ephemeralOutput(kc, at),
  };
}
