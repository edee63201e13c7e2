// Carries out a plan on a cluster: start probe pods and echo servers at the same time and, as soon as a
// source pod and the echo servers it probes are Ready and the CNI has had its settle time to program rules
// for them, run that source's probes in one exec, while other pods are still starting. Every denied path of
// a source spends its timeout at once, and sources overlap each other.
import type * as k8s from '@kubernetes/client-node';
import pLimit from 'p-limit';
import type { ExecResult } from '../cluster/exec.ts';
import { podId, type PodState } from '../cluster/pods.ts';
import { liveCluster, type ClusterPort } from '../cluster/port.ts';
import { sleep } from '../util/sleep.ts';
import type { Canary, Plan, PlannedProbe } from '../plan/types.ts';
import { agentSpec, parseAgentOutput, type AgentSpec } from './agent.ts';
import { controlProbeAddress } from './control.ts';
import { AGENT, ephemeralProbeContainer, probePod, serverPod, type PodOptions } from './podspec.ts';
import { PodReadiness } from './readiness.ts';
import type { ProbeObservation } from './types.ts';
import { AGENT_CONCURRENCY, chunks, execTimeoutMs } from './timing.ts';
import { probeAgain, untilProgrammed } from './settle.ts';
import { verifyTargets, type TargetCheckResults } from './verify.ts';

/** What the run is doing, for a progress line: `wave 2/5 · probing 300/1000 · 4 pods starting`. */
export interface RunProgress {
  phase: 'starting pods' | 'settling' | 'probing';
  done: number;
  total: number;
  podsStarting: number;
  /** Set when the run goes in waves (src/plan/waves.ts): which one this is. */
  wave?: WaveNumber;
}

export interface WaveNumber {
  index: number;
  count: number;
}

export interface RunnerOptions extends PodOptions {
  concurrency: number;
  settleMs: number;
  startTimeoutMs: number;
  signal: AbortSignal;
  onProgress?: (state: RunProgress) => void;
  /** This execution is one wave of several: its pods get names of their own, the progress line says which. */
  wave?: WaveNumber;
}

export interface Execution {
  observations: Map<string, ProbeObservation>;
  aliveExtra: Record<string, string>;
  /** The address each control probe reached (alive key -> IP). */
  controlAddresses: Record<string, string>;
  serverIps: Map<string, string>;
  /** Probe pods whose rules their canaries never showed programmed (src/probe/settle.ts): source key -> why. */
  unsettled: Record<string, string>;
  /** Sources that did not start for want of room (a full node or quota: src/cluster/start-failure.ts), theirs or an echo server's. */
  crowdedOut: string[];
  /** How many of the pods made did not start for want of room, of how many. */
  crowdedPods: { crowded: number; of: number };
  /** --verify-targets: what the target pods' sockets showed where they did not show a listener. */
  targetChecks?: Pick<TargetCheckResults, 'notListening' | 'failed'>;
  /** Namespaces where pods were created: where cleanup must look. */
  namespaces: string[];
  /**
   * Where the wall time went, as consecutive spans: until the last pod was Ready (probing may already run),
   * the settle still to wait after that, and the probing left after that.
   */
  timings: { startMs: number; settleMs: number; probeMs: number };
}

/** Where one source's probes run. `id` is its key in the readiness tracker. */
interface SourceHandle {
  key: string;
  namespace: string;
  pod: string;
  container: string;
  id: string;
  /** netprobe's own pod, which waits out the settle time itself; absent for a real pod (ephemeral container), whose rules are in place. */
  probePod?: k8s.V1Pod;
}

/** A server pod to start, and the key the plan knows it by. */
interface ServerPod {
  key: string;
  pod: k8s.V1Pod;
}

/**
 * One plan carried out, in four steps: start (pods and ephemeral containers, all at once), then per
 * source, as soon as its pods are Ready: settle (canaries, or the fixed settle time) and probe (its
 * batches, and a second look at what was probed early); then collect (wait for everything, stop the
 * ephemeral probes, account for the time).
 */
class PlanExecution {
  private readonly handles: SourceHandle[];
  private readonly inPod: SourceHandle[];
  private readonly serverPods: ServerPod[];
  private readonly serverIdByKey: Map<string, string>;
  private readonly serverKeyById: Map<string, string>;
  private readonly allPods: k8s.V1Pod[];
  private readonly exec: Execution;
  private readonly readiness = new PodReadiness();
  private readonly serverFailures = new Map<string, string>();
  private readonly crowdedServers = new Set<string>();
  private readonly bySource = new Map<string, PlannedProbe[]>();
  private readonly expectOf: Map<string, 'allow' | 'deny'>;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly t0 = Date.now();
  private done = 0;
  private probing = false;
  private settleEnd = 0;
  private readonly port: ClusterPort;
  private readonly plan: Plan;
  private readonly opts: RunnerOptions;

  constructor(port: ClusterPort, plan: Plan, opts: RunnerOptions) {
    this.port = port;
    this.plan = plan;
    this.opts = opts;
    // Where each source's probes run: its probe pod, or an ephemeral container in a real pod.
    const ephemeralName = `netprobe-${opts.runId}`;
    // Each wave's pods have names of their own: the previous wave's may not be gone from every cache yet.
    const prefix = `netprobe-${opts.runId}-${opts.wave ? `w${opts.wave.index}-` : ''}`;
    this.handles = plan.sources.map((s, i) => {
      if (s.inPod) return { key: s.key, namespace: s.namespace, pod: s.inPod, container: ephemeralName, id: `${s.namespace}/${s.inPod}#${ephemeralName}` };
      const pod = probePod(`${prefix}s${i}`, s, opts);
      return { key: s.key, namespace: s.namespace, pod: pod.metadata!.name!, container: 'probe', id: podId(pod), probePod: pod };
    });
    this.inPod = this.handles.filter((h) => !h.probePod);
    this.serverPods = plan.servers.map((s, i) => ({ key: s.key, pod: serverPod(`${prefix}e${i}`, s, opts) }));
    this.serverIdByKey = new Map(this.serverPods.map((s) => [s.key, podId(s.pod)]));
    this.serverKeyById = new Map(this.serverPods.map((s) => [podId(s.pod), s.key]));
    // Echo servers first: when room runs out, it is better a source goes without its pod than a server
    // that several sources probe.
    this.allPods = [...this.serverPods.map((p) => p.pod), ...this.handles.flatMap((h) => (h.probePod ? [h.probePod] : []))];
    const namespaces = [...new Set(this.allPods.map((p) => p.metadata!.namespace!))];
    this.exec = { observations: new Map(), aliveExtra: {}, controlAddresses: {}, serverIps: new Map(), unsettled: {}, crowdedOut: [], crowdedPods: { crowded: 0, of: this.allPods.length }, namespaces, timings: { startMs: 0, settleMs: 0, probeMs: 0 } };
    for (const p of plan.probes) this.bySource.set(p.sourceKey, [...(this.bySource.get(p.sourceKey) ?? []), p]);
    this.expectOf = new Map(plan.cases.map((c) => [c.id, c.expectation.expect]));
    this.limit = pLimit(opts.concurrency);
  }

  async run(): Promise<Execution> {
    const controls = this.controlProbes();
    const checks = this.targetChecks();
    this.report();
    const started = await this.start();
    await Promise.all(this.handles.map((h) => this.runSource(h)));
    return this.collect(started, controls, checks);
  }

  /** Control probes of outside hosts need no pod: they run while pods start. */
  private controlProbes(): Promise<void[]> {
    return Promise.all(
      this.plan.controlHosts.map(async (h) => {
        const reached = await controlProbeAddress(h.host, h.port, h.l4, 2000, this.plan.insideCluster);
        if (reached === undefined) return;
        this.exec.aliveExtra[h.aliveKey] = `answers ${h.l4.toUpperCase()} ${h.port} from netprobe's own machine`;
        this.exec.controlAddresses[h.aliveKey] = reached;
      }),
    );
  }

  /** --verify-targets: the target pods' sockets are read while the probe pods start. */
  private targetChecks(): Promise<TargetCheckResults | undefined> {
    const { opts } = this;
    const checks = this.plan.targetChecks ?? [];
    if (checks.length === 0) return Promise.resolve(undefined);
    return verifyTargets(this.port, checks, { runId: opts.runId, probeImage: opts.probeImage, concurrency: opts.concurrency, deadlineMs: Math.min(opts.startTimeoutMs, 60_000), signal: opts.signal });
  }

  /** Step 1: every pod and ephemeral container at once. Resolves once all are created; readiness comes in as it does. */
  private async start(): Promise<{ waiting: Promise<unknown>; ephemeral: Promise<unknown>; waitError: () => unknown }> {
    const { port, opts } = this;
    // Ephemeral containers go into running pods at the same time as netprobe's own pods start.
    const ephemeral = Promise.all(
      this.inPod.map(async (h) => {
        const failed = await port.addEphemeralContainer(h.namespace, h.pod, ephemeralProbeContainer(h.container, opts));
        this.onFinal(h.id, failed ? { ready: false, reason: failed } : await port.waitForEphemeral({ namespace: h.namespace, name: h.pod, container: h.container, deadlineMs: opts.startTimeoutMs, signal: opts.signal }));
      }),
    );
    const createFailures = await port.createPods(this.allPods, opts.concurrency);
    for (const [id, failure] of createFailures) this.onFinal(id, { ready: false, ...failure });
    const toWait = this.allPods.map(podId).filter((id) => !createFailures.has(id));
    // A failed wait still gives every pod a final state, so no source waits forever; the error is rethrown in collect.
    let waitError: unknown;
    const onFinal = (id: string, state: PodState): void => this.onFinal(id, state);
    const waiting = toWait.length === 0 || opts.signal.aborted
      ? Promise.resolve()
      : port.waitForPods(opts.runId, toWait, this.exec.namespaces, { deadlineMs: opts.startTimeoutMs, signal: opts.signal, onFinal }).then(
          () => undefined,
          (err: unknown) => {
            waitError = err;
            for (const id of toWait) this.onFinal(id, { ready: false, reason: 'netprobe could not read the pod\'s status' });
          },
        );
    if (opts.signal.aborted) for (const id of toWait) this.onFinal(id, { ready: false, reason: 'the run was interrupted' });
    return { waiting, ephemeral, waitError: () => waitError };
  }

  /** One source: wait for its pod and the echo servers it probes, then settle, then probe. */
  private async runSource(h: SourceHandle): Promise<void> {
    const probes = this.bySource.get(h.key) ?? [];
    const servers = [...new Set(probes.flatMap((p) => (p.target.serverKey ? [this.serverIdByKey.get(p.target.serverKey)!] : [])))];
    const [own] = await Promise.all([h.id, ...servers].map((id) => this.readiness.when(id)));
    // Out of room (its own pod, or an echo server it probes): a later wave may have it (src/run/waves.ts).
    const crowded = (!own!.state.ready && own!.state.kind === 'capacity') || servers.some((id) => this.crowdedServers.has(this.serverKeyById.get(id)!));
    if (crowded) this.exec.crowdedOut.push(h.key);
    if (!own!.state.ready) {
      const what = h.probePod ? `probe pod ${h.namespace}/${h.pod}` : `ephemeral container ${h.container} in pod ${h.namespace}/${h.pod}`;
      const reason = `${what} did not start: ${own!.state.reason}`;
      for (const p of probes) this.exec.observations.set(p.id, { probeId: p.id, outcome: 'not-run', detail: reason, ms: 0, attempts: 0 });
      this.done += probes.length;
      return;
    }
    const canaries = this.plan.canaries?.[h.key];
    await this.settle(h, servers, canaries);
    if (!this.probing) {
      this.probing = true;
      this.report();
    }
    await this.probe(h, probes, canaries !== undefined);
  }

  /**
   * Step 2: new pods need their rules programmed by the CNI before a verdict means anything (a real pod's
   * rules are in place already: it only waits for the echo servers it probes).
   */
  private async settle(h: SourceHandle, servers: string[], canaries: Canary[] | undefined): Promise<void> {
    if (h.probePod && canaries !== undefined && servers.length === 0) {
      // Evidence instead of a guess: its canaries answer as the policies say once its rules are in place.
      // Each poll is an exec like any batch: it takes one of the run's exec slots (--concurrency).
      const run = (specs: AgentSpec[]) => this.limit(async () => parseAgentOutput((await this.agent(h, specs)).stdout));
      const unshown = await untilProgrammed(canaries, this.readiness.latest([h.id]), run, this.opts.signal);
      if (unshown !== undefined) this.exec.unsettled[h.key] = unshown;
      this.settleEnd = Math.max(this.settleEnd, Date.now());
      return;
    }
    const settling = h.probePod ? [h.id, ...servers] : servers;
    const settled = settling.length > 0 ? this.readiness.latest(settling) + this.opts.settleMs : 0;
    this.settleEnd = Math.max(this.settleEnd, settled);
    await sleep(settled - Date.now(), this.opts.signal);
  }

  /**
   * Step 3: the source's probes, in batches. Probed before the fixed settle would have ended (its canaries
   * let it start early): what disagrees with the policies, or would fail the case, is probed again after it.
   */
  private async probe(h: SourceHandle, probes: PlannedProbe[], early: boolean): Promise<void> {
    const specs: AgentSpec[] = [];
    for (const p of probes) {
      const spec = agentSpec(p, this.exec.serverIps);
      if (typeof spec === 'string') {
        const why = p.target.serverKey ? this.serverFailures.get(p.target.serverKey) : undefined;
        this.exec.observations.set(p.id, { probeId: p.id, outcome: 'not-run', detail: why ? `${spec}: ${why}` : spec, ms: 0, attempts: 0 });
        this.done += 1;
      } else specs.push(spec);
    }
    const recheckAt = early ? this.readiness.latest([h.id]) + this.opts.settleMs : 0;
    const startedAt = Date.now();
    await this.runBatches(h, specs, true);
    if (recheckAt === 0 || startedAt >= recheckAt) return;
    const planned = new Map(probes.map((p) => [p.id, p]));
    const again = specs.filter((s) => {
      const p = planned.get(s.id)!;
      return probeAgain(p, this.exec.observations.get(s.id), this.expectOf.get(p.caseId) ?? 'allow');
    });
    if (again.length === 0) return;
    await sleep(recheckAt - Date.now(), this.opts.signal);
    await this.runBatches(h, again, false);
  }

  /** The agent runs one batch; the batch goes on stdin (on the command line its headers would show in audit logs and /proc). */
  private agent(h: SourceHandle, specs: AgentSpec[]): Promise<ExecResult> {
    const input = JSON.stringify({ probes: specs, concurrency: AGENT_CONCURRENCY });
    return this.port.exec(h.namespace, h.pod, h.container, [AGENT, 'probe', '--batch', '-'], execTimeoutMs(specs), input);
  }

  /**
   * One batch after another: one agent process per pod at a time, so its memory stays bounded
   * (timing.ts); within a batch the agent runs AGENT_CONCURRENCY probes at once, in waves.
   */
  private async runBatches(h: SourceHandle, specs: AgentSpec[], count: boolean): Promise<void> {
    for (const batch of chunks(specs)) {
      await this.limit(async () => {
        if (this.opts.signal.aborted) return;
        const r = await this.agent(h, batch);
        const seen = new Set<string>();
        for (const o of parseAgentOutput(r.stdout)) {
          this.exec.observations.set(o.probeId, o);
          seen.add(o.probeId);
        }
        const why = r.error ?? (r.stderr.trim().split('\n').pop() || `agent exited ${r.exitCode}`);
        for (const s of batch) {
          if (!seen.has(s.id)) this.exec.observations.set(s.id, { probeId: s.id, outcome: 'error', detail: `no result from the agent: ${why}`, ms: 0, attempts: 0 });
        }
        if (count) this.done += batch.length;
        this.report();
      });
    }
  }

  /** Step 4: everything finished; ephemeral probes stopped; where the time went. */
  private async collect(started: Awaited<ReturnType<PlanExecution['start']>>, controls: Promise<unknown>, checks: Promise<TargetCheckResults | undefined>): Promise<Execution> {
    await started.waiting;
    await started.ephemeral;
    await Promise.all(this.inPod.map((h) => stopEphemeralProbeOn(this.port, h, this.opts.runId)));
    const waitError = started.waitError();
    if (waitError !== undefined) throw waitError;
    await controls;
    const checked = await checks;
    if (checked !== undefined) {
      Object.assign(this.exec.aliveExtra, checked.alive);
      this.exec.targetChecks = { notListening: checked.notListening, failed: checked.failed };
    }
    const end = Date.now();
    const lastPod = this.readiness.latest([...this.allPods.map(podId), ...this.inPod.map((h) => h.id)]) || this.t0;
    this.exec.timings.startMs = lastPod - this.t0;
    this.exec.timings.settleMs = Math.max(0, this.settleEnd - lastPod);
    this.exec.timings.probeMs = Math.max(0, end - Math.max(lastPod, this.settleEnd));
    return this.exec;
  }

  private onFinal(id: string, state: PodState): void {
    const key = this.serverKeyById.get(id);
    if (key !== undefined) {
      if (state.ready) this.exec.serverIps.set(key, state.ip);
      else this.serverFailures.set(key, state.reason);
      if (!state.ready && state.kind === 'capacity') this.crowdedServers.add(key);
    }
    if (!state.ready && state.kind === 'capacity') this.exec.crowdedPods.crowded += 1;
    this.readiness.record(id, state);
    this.report();
  }

  /** What the run is doing, for a progress line. */
  private report(): void {
    const { opts } = this;
    const wave = opts.wave ? { wave: opts.wave } : {};
    const starting = this.allPods.length + this.inPod.length - this.readiness.finalCount;
    if (this.probing) opts.onProgress?.({ phase: 'probing', done: this.done, total: this.plan.probes.length, podsStarting: starting, ...wave });
    else if (starting > 0) opts.onProgress?.({ phase: 'starting pods', done: this.readiness.readyCount, total: this.allPods.length + this.inPod.length, podsStarting: starting, ...wave });
    else opts.onProgress?.({ phase: 'settling', done: 0, total: 1, podsStarting: 0, ...wave });
  }
}

/** Carries out a plan on a cluster (the live API, or a fake in unit tests). */
export function execute(port: ClusterPort, plan: Plan, opts: RunnerOptions): Promise<Execution> {
  return new PlanExecution(port, plan, opts).run();
}

/**
 * Ends the sleep of netprobe's ephemeral container (which cannot be removed) now rather than at the run's
 * deadline. True when the agent said it stopped it.
 */
export function stopEphemeralProbe(kc: k8s.KubeConfig, at: { namespace: string; pod: string; container: string }, runId: string): Promise<boolean> {
  return stopEphemeralProbeOn(liveCluster(kc), at, runId);
}

async function stopEphemeralProbeOn(port: ClusterPort, at: { namespace: string; pod: string; container: string }, runId: string): Promise<boolean> {
  const r = await port.exec(at.namespace, at.pod, at.container, [AGENT, 'stop', '--token', runId], 10_000);
  return r.exitCode === 0;
}
