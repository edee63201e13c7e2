// Carries out a plan on a cluster: start probe pods and echo servers at the same time, wait until they
// are Ready, let the CNI program rules for them, then run every source's probes in one exec per pod,
// all pods at once, so denied paths spend their timeouts together.
import type * as k8s from '@kubernetes/client-node';
import pLimit from 'p-limit';
import { execInPod } from '../cluster/exec.ts';
import { createPods, podId, waitForPods, type PodState } from '../cluster/pods.ts';
import { sleep } from '../util/sleep.ts';
import type { Plan, PlannedProbe } from '../plan/types.ts';
import { agentSpec, parseAgentOutput, type AgentSpec } from './agent.ts';
import { controlProbe } from './control.ts';
import { AGENT, probePod, serverPod, type PodOptions } from './podspec.ts';
import type { ProbeObservation } from './types.ts';

export interface RunnerOptions extends PodOptions {
  concurrency: number;
  settleMs: number;
  startTimeoutMs: number;
  signal: AbortSignal;
  onPhase?: (phase: string, done: number, total: number) => void;
}

export interface Execution {
  observations: Map<string, ProbeObservation>;
  aliveExtra: Record<string, string>;
  serverIps: Map<string, string>;
  /** Namespaces where pods were created: where cleanup must look. */
  namespaces: string[];
  timings: { startMs: number; settleMs: number; probeMs: number };
}

/** Largest batch handed to one exec: keeps the command line well under the kernel's argument limit. */
const BATCH_LIMIT = 300;

export async function execute(kc: k8s.KubeConfig, plan: Plan, opts: RunnerOptions): Promise<Execution> {
  const sourcePods = plan.sources.map((s, i) => ({ key: s.key, pod: probePod(`netprobe-${opts.runId}-s${i}`, s, opts) }));
  const serverPods = plan.servers.map((s, i) => ({ key: s.key, pod: serverPod(`netprobe-${opts.runId}-e${i}`, s, opts) }));
  const allPods = [...sourcePods, ...serverPods].map((p) => p.pod);
  const namespaces = [...new Set(allPods.map((p) => p.metadata!.namespace!))];
  const exec: Execution = { observations: new Map(), aliveExtra: {}, serverIps: new Map(), namespaces, timings: { startMs: 0, settleMs: 0, probeMs: 0 } };

  // Control probes of outside hosts need no pod: run them while pods start.
  const controls = Promise.all(
    plan.controlHosts.map(async (h) => {
      if (await controlProbe(h.host, h.port, h.l4, 2000)) exec.aliveExtra[h.aliveKey] = `answers ${h.l4.toUpperCase()} ${h.port} from netprobe's own machine`;
    }),
  );

  const t0 = Date.now();
  opts.onPhase?.('starting pods', 0, allPods.length);
  const createFailures = await createPods(kc, allPods, opts.concurrency);
  const toWait = allPods.map(podId).filter((id) => !createFailures.has(id));
  const states = new Map<string, PodState>();
  for (const [id, reason] of createFailures) states.set(id, { ready: false, reason });
  if (toWait.length > 0 && !opts.signal.aborted) {
    const waited = await waitForPods(kc, opts.runId, toWait, namespaces, opts.startTimeoutMs, opts.signal, (ready, total) =>
      opts.onPhase?.('starting pods', ready, total),
    );
    for (const [id, s] of waited) states.set(id, s);
  }
  exec.timings.startMs = Date.now() - t0;
  for (const s of serverPods) {
    const st = states.get(podId(s.pod));
    if (st?.ready) exec.serverIps.set(s.key, st.ip);
  }

  // New pods need their rules programmed by the CNI before a verdict means anything.
  const t1 = Date.now();
  opts.onPhase?.('settling', 0, 1);
  await sleep(opts.settleMs, opts.signal);
  exec.timings.settleMs = Date.now() - t1;

  const t2 = Date.now();
  const bySource = new Map<string, PlannedProbe[]>();
  for (const p of plan.probes) {
    const list = bySource.get(p.sourceKey) ?? [];
    list.push(p);
    bySource.set(p.sourceKey, list);
  }
  const limit = pLimit(opts.concurrency);
  let done = 0;
  const total = plan.probes.length;
  opts.onPhase?.('probing', 0, total);
  await Promise.all(
    sourcePods.map(({ key, pod }) => {
      const probes = bySource.get(key) ?? [];
      const state = states.get(podId(pod));
      if (!state?.ready) {
        const reason = `probe pod ${podId(pod)} did not start: ${state && !state.ready ? state.reason : 'unknown'}`;
        for (const p of probes) exec.observations.set(p.id, { probeId: p.id, outcome: 'not-run', detail: reason, ms: 0, attempts: 0 });
        done += probes.length;
        return Promise.resolve();
      }
      const specs: AgentSpec[] = [];
      for (const p of probes) {
        const spec = agentSpec(p, exec.serverIps);
        if (typeof spec === 'string') exec.observations.set(p.id, { probeId: p.id, outcome: 'not-run', detail: spec, ms: 0, attempts: 0 });
        else specs.push(spec);
      }
      return Promise.all(
        chunks(specs, BATCH_LIMIT).map((batch) =>
          limit(async () => {
            if (opts.signal.aborted) return;
            const longest = Math.max(...batch.map((s) => s.timeoutMs * s.attempts + 300 * s.attempts));
            const r = await execInPod(kc, pod.metadata!.namespace!, pod.metadata!.name!, 'probe', [AGENT, 'probe', '--batch', JSON.stringify({ probes: batch })], longest + 30_000);
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
            done += batch.length;
            opts.onPhase?.('probing', done, total);
          }),
        ),
      ).then(() => undefined);
    }),
  );
  await controls;
  exec.timings.probeMs = Date.now() - t2;
  return exec;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
