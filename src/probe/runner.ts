// Carries out a plan on a cluster: start probe pods and echo servers at the same time and, as soon as a
// source pod and the echo servers it probes are Ready and the CNI has had its settle time to program rules
// for them, run that source's probes in one exec, while other pods are still starting. Every denied path of
// a source spends its timeout at once, and sources overlap each other.
import type * as k8s from '@kubernetes/client-node';
import pLimit from 'p-limit';
import { execInPod } from '../cluster/exec.ts';
import { addEphemeralContainer, waitForEphemeral } from '../cluster/ephemeral.ts';
import { createPods, podId, waitForPods, type PodState } from '../cluster/pods.ts';
import { sleep } from '../util/sleep.ts';
import type { Plan, PlannedProbe } from '../plan/types.ts';
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

export async function execute(kc: k8s.KubeConfig, plan: Plan, opts: RunnerOptions): Promise<Execution> {
  // Where each source's probes run: its probe pod, or an ephemeral container in a real pod.
  const ephemeralName = `netprobe-${opts.runId}`;
  // Each wave's pods have names of their own: the previous wave's may not be gone from every cache yet.
  const prefix = `netprobe-${opts.runId}-${opts.wave ? `w${opts.wave.index}-` : ''}`;
  const handles: SourceHandle[] = plan.sources.map((s, i) => {
    if (s.inPod) return { key: s.key, namespace: s.namespace, pod: s.inPod, container: ephemeralName, id: `${s.namespace}/${s.inPod}#${ephemeralName}` };
    const pod = probePod(`${prefix}s${i}`, s, opts);
    return { key: s.key, namespace: s.namespace, pod: pod.metadata!.name!, container: 'probe', id: podId(pod), probePod: pod };
  });
  const inPod = handles.filter((h) => !h.probePod);
  const serverPods = plan.servers.map((s, i) => ({ key: s.key, pod: serverPod(`${prefix}e${i}`, s, opts) }));
  const serverIdByKey = new Map(serverPods.map((s) => [s.key, podId(s.pod)]));
  const serverKeyById = new Map(serverPods.map((s) => [podId(s.pod), s.key]));
  // Echo servers first: when room runs out, it is better a source goes without its pod than a server
  // that several sources probe.
  const allPods = [...serverPods.map((p) => p.pod), ...handles.flatMap((h) => (h.probePod ? [h.probePod] : []))];
  const namespaces = [...new Set(allPods.map((p) => p.metadata!.namespace!))];
  const exec: Execution = { observations: new Map(), aliveExtra: {}, controlAddresses: {}, serverIps: new Map(), unsettled: {}, crowdedOut: [], crowdedPods: { crowded: 0, of: allPods.length }, namespaces, timings: { startMs: 0, settleMs: 0, probeMs: 0 } };
  const serverFailures = new Map<string, string>();
  const crowdedServers = new Set<string>();

  // Control probes of outside hosts need no pod: run them while pods start.
  const controls = Promise.all(
    plan.controlHosts.map(async (h) => {
      const reached = await controlProbeAddress(h.host, h.port, h.l4, 2000, plan.insideCluster);
      if (reached === undefined) return;
      exec.aliveExtra[h.aliveKey] = `answers ${h.l4.toUpperCase()} ${h.port} from netprobe's own machine`;
      exec.controlAddresses[h.aliveKey] = reached;
    }),
  );

  // --verify-targets: the target pods' sockets are read while the probe pods start.
  const checks = (plan.targetChecks ?? []).length === 0
    ? Promise.resolve(undefined)
    : verifyTargets(kc, plan.targetChecks!, { runId: opts.runId, probeImage: opts.probeImage, concurrency: opts.concurrency, deadlineMs: Math.min(opts.startTimeoutMs, 60_000), signal: opts.signal });

  const total = plan.probes.length;
  let done = 0;
  let probing = false;
  const readiness = new PodReadiness();
  const wave = opts.wave ? { wave: opts.wave } : {};
  const report = () => {
    const starting = allPods.length + inPod.length - readiness.finalCount;
    if (probing) opts.onProgress?.({ phase: 'probing', done, total, podsStarting: starting, ...wave });
    else if (starting > 0) opts.onProgress?.({ phase: 'starting pods', done: readiness.readyCount, total: allPods.length + inPod.length, podsStarting: starting, ...wave });
    else opts.onProgress?.({ phase: 'settling', done: 0, total: 1, podsStarting: 0, ...wave });
  };
  const onFinal = (id: string, state: PodState) => {
    const key = serverKeyById.get(id);
    if (key !== undefined) {
      if (state.ready) exec.serverIps.set(key, state.ip);
      else serverFailures.set(key, state.reason);
      if (!state.ready && state.kind === 'capacity') crowdedServers.add(key);
    }
    if (!state.ready && state.kind === 'capacity') exec.crowdedPods.crowded += 1;
    readiness.record(id, state);
    report();
  };

  const t0 = Date.now();
  report();
  // Ephemeral containers go into running pods at the same time as netprobe's own pods start.
  const ephemeral = Promise.all(
    inPod.map(async (h) => {
      const failed = await addEphemeralContainer(kc, h.namespace, h.pod, ephemeralProbeContainer(h.container, opts));
      onFinal(h.id, failed ? { ready: false, reason: failed } : await waitForEphemeral(kc, { namespace: h.namespace, name: h.pod, container: h.container, deadlineMs: opts.startTimeoutMs, signal: opts.signal }));
    }),
  );
  const createFailures = await createPods(kc, allPods, opts.concurrency);
  for (const [id, failure] of createFailures) onFinal(id, { ready: false, ...failure });
  const toWait = allPods.map(podId).filter((id) => !createFailures.has(id));
  // A failed wait still gives every pod a final state, so no source waits forever; the error is rethrown below.
  let waitError: unknown;
  const waiting = toWait.length === 0 || opts.signal.aborted
    ? Promise.resolve()
    : waitForPods(kc, opts.runId, toWait, namespaces, { deadlineMs: opts.startTimeoutMs, signal: opts.signal, onFinal }).then(
        () => undefined,
        (err: unknown) => {
          waitError = err;
          for (const id of toWait) onFinal(id, { ready: false, reason: 'netprobe could not read the pod\'s status' });
        },
      );
  if (opts.signal.aborted) for (const id of toWait) onFinal(id, { ready: false, reason: 'the run was interrupted' });

  const expectOf = new Map(plan.cases.map((c) => [c.id, c.expectation.expect]));
  const bySource = new Map<string, PlannedProbe[]>();
  for (const p of plan.probes) {
    const list = bySource.get(p.sourceKey) ?? [];
    list.push(p);
    bySource.set(p.sourceKey, list);
  }
  const limit = pLimit(opts.concurrency);
  // One batch after another: one agent process per pod at a time, so its memory stays bounded
  // (timing.ts); within a batch the agent runs AGENT_CONCURRENCY probes at once, in waves.
  const runBatches = async (h: SourceHandle, specs: AgentSpec[], count: boolean): Promise<void> => {
    for (const batch of chunks(specs)) {
      await limit(async () => {
        if (opts.signal.aborted) return;
        // The batch goes on stdin: on the command line its headers would show in audit logs and /proc.
        const input = JSON.stringify({ probes: batch, concurrency: AGENT_CONCURRENCY });
        const r = await execInPod(kc, h.namespace, h.pod, h.container, [AGENT, 'probe', '--batch', '-'], execTimeoutMs(batch), input);
        const seen = new Set<string>();
        for (const o of parseAgentOutput(r.stdout)) {
          exec.observations.set(o.probeId, o);
          seen.add(o.probeId);
        }
        for (const s of batch) {
          if (!seen.has(s.id)) {
            const why = r.error ?? (r.stderr.trim().split('\n').pop() || `agent exited ${r.exitCode}`);
            exec.observations.set(s.id, { probeId: s.id, outcome: 'error', detail: `no result from the agent: ${why}`, ms: 0, attempts: 0 });
          }
        }
        if (count) done += batch.length;
        report();
      });
    }
  };
  let settleEnd = 0;
  await Promise.all(
    handles.map(async (h) => {
      const probes = bySource.get(h.key) ?? [];
      const servers = [...new Set(probes.flatMap((p) => (p.target.serverKey ? [serverIdByKey.get(p.target.serverKey)!] : [])))];
      const deps = [h.id, ...servers];
      const [own] = await Promise.all(deps.map((id) => readiness.when(id)));
      // Out of room (its own pod, or an echo server it probes): a later wave may have it (src/run/waves.ts).
      const crowded = (!own!.state.ready && own!.state.kind === 'capacity') || servers.some((id) => crowdedServers.has(serverKeyById.get(id)!));
      if (crowded) exec.crowdedOut.push(h.key);
      if (!own!.state.ready) {
        const what = h.probePod ? `probe pod ${h.namespace}/${h.pod}` : `ephemeral container ${h.container} in pod ${h.namespace}/${h.pod}`;
        const reason = `${what} did not start: ${own!.state.reason}`;
        for (const p of probes) exec.observations.set(p.id, { probeId: p.id, outcome: 'not-run', detail: reason, ms: 0, attempts: 0 });
        done += probes.length;
        return;
      }
      // New pods need their rules programmed by the CNI before a verdict means anything (a real pod's
      // rules are in place already: it only waits for the echo servers it probes).
      const canaries = plan.canaries?.[h.key];
      if (h.probePod && canaries !== undefined && servers.length === 0) {
        // Evidence instead of a guess: its canaries answer as the policies say once its rules are in place.
        // Each poll is an exec like any batch: it takes one of the run's exec slots (--concurrency).
        const run = (specs: AgentSpec[]) => limit(async () => parseAgentOutput((await execInPod(kc, h.namespace, h.pod, h.container, [AGENT, 'probe', '--batch', '-'], execTimeoutMs(specs), JSON.stringify({ probes: specs, concurrency: AGENT_CONCURRENCY }))).stdout));
        const unshown = await untilProgrammed(canaries, readiness.latest([h.id]), run, opts.signal);
        if (unshown !== undefined) exec.unsettled[h.key] = unshown;
        settleEnd = Math.max(settleEnd, Date.now());
      } else {
        const settling = h.probePod ? deps : servers;
        const settled = settling.length > 0 ? readiness.latest(settling) + opts.settleMs : 0;
        settleEnd = Math.max(settleEnd, settled);
        await sleep(settled - Date.now(), opts.signal);
      }
      if (!probing) {
        probing = true;
        report();
      }
      const specs: AgentSpec[] = [];
      for (const p of probes) {
        const spec = agentSpec(p, exec.serverIps);
        if (typeof spec === 'string') {
          const why = p.target.serverKey ? serverFailures.get(p.target.serverKey) : undefined;
          exec.observations.set(p.id, { probeId: p.id, outcome: 'not-run', detail: why ? `${spec}: ${why}` : spec, ms: 0, attempts: 0 });
          done += 1;
        } else specs.push(spec);
      }
      // Probed before the fixed settle would have ended: what disagrees with the policies, or would fail
      // the case, is probed again after it.
      const recheckAt = canaries !== undefined ? readiness.latest([h.id]) + opts.settleMs : 0;
      const startedAt = Date.now();
      await runBatches(h, specs, true);
      if (recheckAt > 0 && startedAt < recheckAt) {
        const planned = new Map(probes.map((p) => [p.id, p]));
        const again = specs.filter((s) => {
          const p = planned.get(s.id)!;
          return probeAgain(p, exec.observations.get(s.id), expectOf.get(p.caseId) ?? 'allow');
        });
        if (again.length > 0) {
          await sleep(recheckAt - Date.now(), opts.signal);
          await runBatches(h, again, false);
        }
      }
    }),
  );
  await waiting;
  await ephemeral;
  await Promise.all(inPod.map((h) => stopEphemeralProbe(kc, h, opts.runId)));
  if (waitError !== undefined) throw waitError;
  await controls;
  const checked = await checks;
  if (checked !== undefined) {
    Object.assign(exec.aliveExtra, checked.alive);
    exec.targetChecks = { notListening: checked.notListening, failed: checked.failed };
  }
  const end = Date.now();
  const lastPod = readiness.latest([...allPods.map(podId), ...inPod.map((h) => h.id)]) || t0;
  exec.timings.startMs = lastPod - t0;
  exec.timings.settleMs = Math.max(0, settleEnd - lastPod);
  exec.timings.probeMs = Math.max(0, end - Math.max(lastPod, settleEnd));
  return exec;
}

/**
 * Ends the sleep of netprobe's ephemeral container (which cannot be removed) now rather than at the run's
 * deadline. True when the agent said it stopped it.
 */
export async function stopEphemeralProbe(kc: k8s.KubeConfig, at: { namespace: string; pod: string; container: string }, runId: string): Promise<boolean> {
  const r = await execInPod(kc, at.namespace, at.pod, at.container, [AGENT, 'stop', '--token', runId], 10_000);
  return r.exitCode === 0;
}
