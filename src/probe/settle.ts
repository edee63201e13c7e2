// Waiting for a new probe pod's rules with evidence instead of a fixed guess (issue 11): its canaries
// (src/plan/canary.ts) are probed every POLL_MS from SETTLE_MIN_MS after the pod is Ready until each
// answers as the policies say, or SETTLE_MAX_MS has passed. Their answers are evidence of programming
// only; no verdict is made from them.
import type { Canary, PlannedProbe } from '../plan/types.ts';
import { sleep } from '../util/sleep.ts';
import { agentSpec, type AgentSpec } from './agent.ts';
import { isFilterRejection } from './answer.ts';
import type { ProbeObservation } from './types.ts';
import { SETTLE_MAX_MS } from './timing.ts';

/** Before this, not even a fast CNI has seen the pod (kube-router programs in 0-0.5 s here). */
export const SETTLE_MIN_MS = 250;
const POLL_MS = 200;

const isConnection = (o: ProbeObservation): boolean => o.outcome === 'connected' || o.outcome === 'http-status';

/**
 * The target's own stack answered (a reset, a UDP port-unreachable): past every filter. An ICMP rejection
 * for TCP is a filter's even from the target's address (answer.ts), as the judge reads it.
 */
const fromTargetStack = (p: PlannedProbe, o: ProbeObservation): boolean => o.answeredBy === 'target' && !isFilterRejection(p.target.kind, o);

/** Stopped on the way: silence, or a refusal or unreachable that neither the target's stack nor the pod itself sent. */
const isFiltered = (p: PlannedProbe, o: ProbeObservation): boolean =>
  (o.outcome === 'timeout' || o.outcome === 'refused' || o.outcome === 'unreachable') && o.answeredBy !== 'local' && !fromTargetStack(p, o);

/** Whether a canary's answer is the one the policies give once the pod's rules are programmed. */
export function canaryAnswered(c: Canary, o: ProbeObservation | undefined): boolean {
  if (o === undefined) return false;
  // A reset from the target itself also got past the filter: only the listener is missing.
  if (c.expect === 'connect') return isConnection(o) || (o.outcome === 'refused' && fromTargetStack(c.probe, o));
  return isFiltered(c.probe, o);
}

/**
 * Whether an answer disagrees with what the policies say of the path: a connection where they deny, or
 * a denial from the network where they allow. Made before the fixed settle, such an answer may come from
 * rules the CNI has not caught up with (a recycled address still in another pod's rules).
 */
export function disagrees(p: PlannedProbe, o: ProbeObservation | undefined): boolean {
  if (o === undefined || p.predicted === undefined || o.answeredBy === 'local') return false;
  // A reset from the target got past every filter: a closed port, not a rule.
  return p.predicted === 'denied' ? isConnection(o) : isFiltered(p, o);
}

/**
 * Whether an answer made before the fixed settle is probed again after it: it disagrees with the
 * policies, or it would make the case fail (a leak, a broken path) even where it agrees with them, since
 * the policies netprobe read may not be all there are (a Calico GlobalNetworkPolicy, an admin tier it may
 * not list). A failure is never reported from a pod whose rules may not have been in place.
 */
export function probeAgain(p: PlannedProbe, o: ProbeObservation | undefined, expect: 'allow' | 'deny'): boolean {
  if (o === undefined || o.answeredBy === 'local') return false;
  if (disagrees(p, o)) return true;
  return expect === 'deny' ? isConnection(o) : isFiltered(p, o);
}

/** Runs a batch of probes in the pod and gives back what the agent reported. */
export type RunBatch = (specs: AgentSpec[]) => Promise<ProbeObservation[]>;

/**
 * Waits until every canary answers as the policies say, from `readyAt` + SETTLE_MIN_MS to `readyAt` +
 * SETTLE_MAX_MS. Returns undefined when shown, or the canaries that never answered so, for the results.
 */
export async function untilProgrammed(canaries: readonly Canary[], readyAt: number, run: RunBatch, signal: AbortSignal, maxMs = SETTLE_MAX_MS): Promise<string | undefined> {
  await sleep(readyAt + SETTLE_MIN_MS - Date.now(), signal);
  if (canaries.length === 0) return undefined;
  const specs = canaries.map((c) => agentSpec(c.probe, new Map())).filter((s): s is AgentSpec => typeof s !== 'string');
  let pending = [...canaries];
  for (;;) {
    const seen = new Map((await run(specs)).map((o) => [o.probeId, o]));
    pending = canaries.filter((c) => !canaryAnswered(c, seen.get(c.probe.id)));
    if (pending.length === 0 || signal.aborted) return undefined;
    if (Date.now() + POLL_MS > readyAt + maxMs) break;
    await sleep(POLL_MS, signal);
  }
  return `this probe pod's rules were not shown programmed within ${Math.round(maxMs / 1000)} s of its start (the policies say ${pending.map((c) => c.shows).join(' and ')}, but its canary did not answer so): its results may predate them`;
}
