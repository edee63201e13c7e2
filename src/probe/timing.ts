// How long probing can take at worst, so that the exec timeout and the pods' activeDeadlineSeconds
// follow the suite (timeouts x attempts x waves) instead of a fixed 600 s that a big suite outlives.
import type { Plan } from '../plan/types.ts';
import { AGENT_MAX_ATTEMPTS, AGENT_MAX_TIMEOUT_MS } from './agent.ts';

/**
 * Probes one agent process runs at once (the batch's `concurrency`; the agent's own default is 256).
 * Measured on the agent (bench/agent-memory.py): a probe in flight costs 11 KB (TCP) to 90 KB (HTTPS with
 * the handshake done), over a 7 MB base. 128 HTTPS probes: about 19 MB, under a third of the probe pod's
 * 64 Mi limit, and the runner starts one agent per pod at a time.
 */
export const AGENT_CONCURRENCY = 128;
/** The agent's pause between attempts of one probe (probes/agent/batch.go defaultPauseMs). */
export const AGENT_PAUSE_MS = 250;
/** Probes handed to one exec; a source with more runs several execs, one after another. */
export const BATCH_LIMIT = 300;
/** What an exec costs beyond its probes: the API round trips and the agent's start. */
export const EXEC_MARGIN_MS = 20_000;
/** Added once to a pod's deadline: creating the pods, deleting them, a slow API server. */
export const DEADLINE_MARGIN_MS = 60_000;

/** Canaries (src/probe/settle.ts) wait at most this long; then the pod's probes run anyway, and the results say so. */
export const SETTLE_MAX_MS = 20_000;

export interface ProbeTiming {
  timeoutMs: number;
  attempts: number;
}

/** One probe at worst: every attempt times out, with the pauses between them (bounded as the agent bounds them). */
export function probeWorstMs(p: ProbeTiming): number {
  const timeout = Math.min(Math.max(p.timeoutMs, 1), AGENT_MAX_TIMEOUT_MS);
  const attempts = Math.min(Math.max(p.attempts, 1), AGENT_MAX_ATTEMPTS);
  return timeout * attempts + AGENT_PAUSE_MS * (attempts - 1);
}

/**
 * One batch at worst: the agent starts probes in order as slots free up, so with c slots probe k starts
 * by floor(k / c) x the longest probe, and the batch ends within ceil(n / c) waves of the longest.
 */
export function batchWorstMs(batch: readonly ProbeTiming[], concurrency = AGENT_CONCURRENCY): number {
  if (batch.length === 0) return 0;
  const longest = Math.max(...batch.map(probeWorstMs));
  return Math.ceil(batch.length / concurrency) * longest;
}

/** How long the runner waits for one exec before it gives up on it. */
export function execTimeoutMs(batch: readonly ProbeTiming[]): number {
  return batchWorstMs(batch) + EXEC_MARGIN_MS;
}

export function chunks<T>(items: readonly T[], size = BATCH_LIMIT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface DeadlineInputs {
  /** Execs in flight at once across the run (--concurrency). */
  concurrency: number;
  startTimeoutMs: number;
  settleMs: number;
}

/**
 * The pods' activeDeadlineSeconds: pod start + settle + the probing at worst + a margin. Each source runs
 * its batches one after another (one agent per pod), sources share `concurrency` exec slots: with W the
 * sum of every exec's timeout and L the longest source's, probing ends within W / slots + L (list
 * scheduling with chains, Graham's bound).
 */
export function runDeadlineSeconds(plan: Pick<Plan, 'probes' | 'canaries'>, opts: DeadlineInputs): number {
  const bySource = new Map<string, ProbeTiming[]>();
  for (const p of plan.probes) {
    const list = bySource.get(p.sourceKey) ?? [];
    list.push(p);
    bySource.set(p.sourceKey, list);
  }
  let total = 0;
  let longestSource = 0;
  for (const probes of bySource.values()) {
    const own = chunks(probes).reduce((sum, b) => sum + execTimeoutMs(b), 0);
    total += own;
    longestSource = Math.max(longestSource, own);
  }
  // With canaries, answers made before the fixed settle may be probed once more (src/probe/settle.ts).
  const rounds = plan.canaries === undefined ? 1 : 2;
  const probing = rounds * (total / Math.max(1, opts.concurrency) + longestSource);
  const settle = plan.canaries === undefined ? opts.settleMs : Math.max(opts.settleMs, SETTLE_MAX_MS);
  return Math.ceil((opts.startTimeoutMs + settle + probing + DEADLINE_MARGIN_MS) / 1000);
}
