// An in-memory cluster for the runner's unit tests (src/cluster/port.ts). Pods become Ready after a delay
// of their own, or never (a reason, as the kubelet would give it); creating a pod can fail; an exec of the
// agent answers each probe with the observation the test gives (the simulated runner's, usually), or loses
// its answer. Time is real but short: a whole run takes milliseconds.
import type * as k8s from '@kubernetes/client-node';
import type { ExecResult } from '../../../src/cluster/exec.ts';
import { podId, type CreateFailure, type PodState, type WaitOptions } from '../../../src/cluster/pods.ts';
import type { ClusterPort } from '../../../src/cluster/port.ts';
import type { AgentSpec } from '../../../src/probe/agent.ts';
import type { ProbeObservation } from '../../../src/probe/types.ts';
import { sleep } from '../../../src/util/sleep.ts';

export interface FakeFaults {
  /** Pod name prefix -> why it cannot be created. */
  createFails?: (pod: k8s.V1Pod) => CreateFailure | undefined;
  /** Ms until a pod is Ready (default 5); a string: it never is, for that reason (final, as ImagePullBackOff). */
  readiness?: (pod: k8s.V1Pod) => number | string;
  /** The status reads fail: waitForPods rejects with this error after that many ms. */
  waitFails?: { afterMs: number; error: Error };
  /** An agent exec loses its answer (the stream broke) when this says so. */
  execLost?: (pod: string, specs: AgentSpec[]) => boolean;
}

export class FakeCluster implements ClusterPort {
  readonly created: k8s.V1Pod[] = [];
  readonly execs: { pod: string; container: string; command: string[]; probes: string[] }[] = [];
  readonly ephemeral: string[] = [];
  private readonly answer: (probeId: string) => ProbeObservation | undefined;
  private readonly faults: FakeFaults;
  private ipSeq = 1;

  constructor(answer: (probeId: string) => ProbeObservation | undefined, faults: FakeFaults = {}) {
    this.answer = answer;
    this.faults = faults;
  }

  async createPods(pods: readonly k8s.V1Pod[]): Promise<Map<string, CreateFailure>> {
    const failures = new Map<string, CreateFailure>();
    for (const pod of pods) {
      const failure = this.faults.createFails?.(pod);
      if (failure) failures.set(podId(pod), failure);
      else this.created.push(pod);
    }
    return failures;
  }

  async waitForPods(_runId: string, ids: readonly string[], _namespaces: readonly string[], opts: WaitOptions): Promise<Map<string, PodState>> {
    const states = new Map<string, PodState>();
    const settle = (id: string, state: PodState): void => {
      if (states.has(id)) return;
      states.set(id, state);
      opts.onFinal?.(id, state);
    };
    const waits = ids.map(async (id) => {
      const pod = this.created.find((p) => podId(p) === id)!;
      const ready = this.faults.readiness?.(pod) ?? 5;
      if (typeof ready === 'string') return settle(id, { ready: false, reason: ready });
      await sleep(Math.min(ready, opts.deadlineMs), opts.signal);
      if (opts.signal.aborted) settle(id, { ready: false, reason: 'the run was interrupted: no status' });
      else if (ready > opts.deadlineMs) settle(id, { ready: false, reason: `not Ready after ${opts.deadlineMs / 1000} s` });
      else settle(id, { ready: true, ip: `10.244.9.${this.ipSeq++}` });
    });
    const fails = this.faults.waitFails;
    if (fails) {
      await sleep(fails.afterMs, opts.signal);
      throw fails.error;
    }
    await Promise.all(waits);
    return states;
  }

  async exec(_ns: string, pod: string, container: string, command: string[], _timeoutMs: number, stdin?: string): Promise<ExecResult> {
    const specs = stdin ? (JSON.parse(stdin) as { probes: AgentSpec[] }).probes : [];
    this.execs.push({ pod, container, command, probes: specs.map((s) => s.id) });
    if (command[1] === 'stop') return { stdout: '', stderr: '', exitCode: 0 };
    if (this.faults.execLost?.(pod, specs)) return { stdout: '', stderr: '', exitCode: -1, error: 'the exec stream broke' };
    const lines = specs.flatMap((s) => {
      const o = this.answer(s.id);
      return o ? [JSON.stringify({ id: s.id, outcome: o.outcome, detail: o.detail, ms: 1, attempts: [{}], ...(o.answeredBy ? { answeredBy: o.answeredBy } : {}), ...(o.icmp ? { icmp: o.icmp, icmpFrom: o.icmpFrom } : {}) })] : [];
    });
    return { stdout: lines.join('\n'), stderr: '', exitCode: 0 };
  }

  async addEphemeralContainer(_ns: string, pod: string, container: k8s.V1EphemeralContainer): Promise<string | undefined> {
    this.ephemeral.push(`${pod}#${container.name}`);
    return undefined;
  }

  async waitForEphemeral(): Promise<PodState> {
    return { ready: true, ip: `10.244.8.${this.ipSeq++}` };
  }

  /** --verify-targets' socket readers: no listener anywhere (an empty table). */
  async ephemeralOutput(): Promise<{ stdout: string }> {
    return { stdout: '' };
  }
}
