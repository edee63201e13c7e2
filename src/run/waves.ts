// Carries out a plan in waves (src/plan/waves.ts): each wave starts its pods, probes, and is deleted (and
// gone, with the quota showing the room again) before the next starts. Sources crowded out of a wave (the
// cluster said it has no room: a full node or quota) go again in waves at the end while that makes
// progress. Verdicts come from the same observations whatever the waves.
import type * as k8s from '@kubernetes/client-node';
import { readBudget, readQuotas } from '../cluster/budget.ts';
import { deleteRunPods, waitRunPodsGone } from '../cluster/pods.ts';
import { liveCluster } from '../cluster/port.ts';
import { planWaves, podBudget, wavePlan, type Placement, type PodBudget, type Wave } from '../plan/waves.ts';
import type { Plan } from '../plan/types.ts';
import { RESOURCES } from '../probe/podspec.ts';
import { execute, type Execution, type RunnerOptions } from '../probe/runner.ts';
import { runDeadlineSeconds } from '../probe/timing.ts';
import { sleep } from '../util/sleep.ts';

/** How long the run waits between waves for the last wave's pods to be gone, and then for the quota to show it. */
const GONE_WAIT_MS = 60_000;
const QUOTA_WAIT_MS = 20_000;
/** How often a source crowded out of its wave is tried again. */
const MAX_RETRIES = 2;

export interface BudgetSettings extends Placement {
  maxPods?: number;
}

/** Namespaces where a plan (or part of one) creates pods: probe pods and echo servers. */
export function podNamespacesOf(plan: Pick<Plan, 'sources' | 'servers'>): string[] {
  return [...new Set([...plan.sources.filter((s) => !s.inPod).map((s) => s.namespace), ...plan.servers.map((s) => s.namespace)])].sort();
}

/** What the cluster can hold of this plan's pods now (what cannot be read is said in `why`). */
export async function readPodBudget(kc: k8s.KubeConfig, plan: Pick<Plan, 'sources' | 'servers'>, settings: BudgetSettings): Promise<PodBudget> {
  const reading = await readBudget(kc, podNamespacesOf(plan));
  return podBudget({
    ...(reading.nodes === undefined ? {} : { nodes: reading.nodes }),
    quotas: reading.quotas,
    ...(settings.maxPods === undefined ? {} : { maxPods: settings.maxPods }),
    placement: { nodeSelector: settings.nodeSelector, tolerations: settings.tolerations },
    size: RESOURCES,
    unread: reading.unread,
  });
}

type DeadlineInputs = Parameters<typeof runDeadlineSeconds>[1];

/**
 * The run's own deadline (its anchor, src/cluster/run-owner.ts) across waves: each wave's and the waits
 * between them, twice over: sources crowded out of a wave are tried again in more waves (each at most
 * twice), which the budget read before the run did not foresee. It only ends pods a dead run left.
 */
export function wavesDeadlineSeconds(plan: Plan, waves: readonly Wave[], opts: DeadlineInputs): number {
  const each = waves.map((w, i) => runDeadlineSeconds(wavePlan(plan, w, i === 0), opts));
  const between = ((GONE_WAIT_MS + QUOTA_WAIT_MS) / 1000) * waves.length;
  return 2 * Math.ceil(each.reduce((a, b) => a + b, 0) + between);
}

function merge(into: Execution, from: Execution): void {
  for (const [k, v] of from.observations) into.observations.set(k, v);
  Object.assign(into.aliveExtra, from.aliveExtra);
  Object.assign(into.controlAddresses, from.controlAddresses);
  for (const [k, v] of from.serverIps) into.serverIps.set(k, v);
  Object.assign(into.unsettled, from.unsettled);
  if (from.targetChecks !== undefined) into.targetChecks = from.targetChecks;
  into.namespaces = [...new Set([...into.namespaces, ...from.namespaces])];
  into.timings.startMs += from.timings.startMs;
  into.timings.settleMs += from.timings.settleMs;
  into.timings.probeMs += from.timings.probeMs;
}

/** Pods of each namespace a wave starts. */
function podsByNamespace(part: Pick<Plan, 'sources' | 'servers'>): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of [...part.sources.filter((s) => !s.inPod), ...part.servers]) out.set(x.namespace, (out.get(x.namespace) ?? 0) + 1);
  return out;
}

/**
 * Between waves: the last wave's pods deleted and gone, then (where a quota limits pods) its status showing
 * room for the next wave: the quota controller gives back what deleted pods used a moment after they go.
 */
async function clearWave(kc: k8s.KubeConfig, last: readonly string[], next: Pick<Plan, 'sources' | 'servers'>, opts: { runId: string; signal: AbortSignal }): Promise<void> {
  await deleteRunPods(kc, opts.runId, last);
  await waitRunPodsGone(kc, opts.runId, last, GONE_WAIT_MS, opts.signal);
  const need = podsByNamespace(next);
  const until = Date.now() + QUOTA_WAIT_MS;
  while (!opts.signal.aborted && Date.now() < until) {
    const { quotas } = await readQuotas(kc, [...need.keys()]);
    const room = podBudget({ quotas, placement: { nodeSelector: {}, tolerations: [] }, size: RESOURCES }).perNamespace;
    if ([...need].every(([ns, n]) => room[ns] === undefined || room[ns]! >= n)) return;
    await sleep(250, opts.signal);
  }
}

/** Runs the waves one after another (see the top of this file); one wave is a plain run. */
export async function executeInWaves(kc: k8s.KubeConfig, plan: Plan, waves: readonly Wave[], opts: Omit<RunnerOptions, 'deadlineSeconds' | 'wave'>): Promise<Execution> {
  // A plan with no pod to start still runs once, whole: its control probes, and its sources that probe
  // from inside running pods (ephemeral containers take no pod; an empty wave would run none of them).
  const queue: Wave[] = waves.length > 0 ? [...waves] : [{ sources: plan.sources.map((s) => s.key), servers: plan.servers.map((s) => s.key) }];
  let total: Execution | undefined;
  let last: string[] = [];
  const tries = new Map<string, number>();
  for (let i = 0; i < queue.length && (i === 0 || !opts.signal.aborted); i++) {
    const part = wavePlan(plan, queue[i]!, i === 0);
    if (i > 0) await clearWave(kc, last, part, opts);
    const wave = queue.length > 1 ? { wave: { index: i + 1, count: queue.length } } : {};
    const exec = await execute(liveCluster(kc), part, { ...opts, deadlineSeconds: runDeadlineSeconds(part, opts), ...wave });
    if (total === undefined) total = exec;
    else merge(total, exec);
    last = exec.namespaces;
    queue.push(...retryWaves(plan, exec.crowdedOut, exec.crowdedPods, tries));
  }
  return total!;
}

/**
 * Waves for the sources crowded out of a wave, when some of its pods did start (so there is room, and the
 * run's own pods took it): at most as many pods at once as did start, which is what the cluster gave (the
 * budget read before was wrong: other pods came, or the nodes or quotas could not be read). A wave where
 * no pod started has its answer: no retry, so this ends.
 */
function retryWaves(plan: Plan, crowded: readonly string[], pods: Execution['crowdedPods'], tries: Map<string, number>): Wave[] {
  const started = pods.of - pods.crowded;
  // Twice at most per source: a wave whose servers start and whose sources never do would go on forever.
  const again = crowded.filter((k) => (tries.get(k) ?? 0) < MAX_RETRIES);
  if (again.length === 0 || started <= 0) return [];
  for (const k of again) tries.set(k, (tries.get(k) ?? 0) + 1);
  return planWaves(onlySources(plan, again), { total: started, perNamespace: {}, why: [], unread: [] });
}

/** The plan cut down to these sources, their probes and the echo servers they probe. */
function onlySources(plan: Plan, keys: readonly string[]): Plan {
  const probes = plan.probes.filter((p) => keys.includes(p.sourceKey));
  const servers = new Set(probes.flatMap((p) => (p.target.serverKey === undefined ? [] : [p.target.serverKey])));
  return { ...plan, sources: plan.sources.filter((s) => keys.includes(s.key)), servers: plan.servers.filter((s) => servers.has(s.key)), probes };
}
