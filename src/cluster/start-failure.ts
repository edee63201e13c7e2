// Why a pod netprobe made cannot start, as the cluster says it at once: the scheduler's Unschedulable
// condition, or the API's refusal at create time (a ResourceQuota, an admission webhook or policy). Known
// within a second, so nobody waits out the start timeout for it. `capacity` failures may clear once other
// pods are gone (a later wave); `placement` and `refused` ones never will for this pod. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { apiErrorMessage } from './errors.ts';

export type StartFailureKind = 'capacity' | 'placement' | 'refused';

export interface StartFailure {
  kind: StartFailureKind;
  reason: string;
}

/**
 * What a node lacks in the scheduler's message ("0/3 nodes are available: 1 Too many pods, 2 Insufficient
 * cpu."): these free up when pods end. What else it names (a nodeSelector or affinity no node matches, an
 * untolerated taint, an unschedulable node, a volume conflict) does not.
 */
const CAPACITY = /^(Too many pods|Insufficient [\w./-]+)$/;

/** The scheduler's per-node reasons: "1 Too many pods, 2 node(s) had untolerated taint {k: v}". */
function nodeReasons(message: string): string[] {
  // Preemption's own summary ("preemption: 0/1 nodes are available: ...") repeats the verdict: drop it.
  const head = message.split(/\s*preemption:/)[0]!;
  const colon = head.indexOf(':');
  if (colon < 0) return [];
  return head
    .slice(colon + 1)
    .replace(/\.\s*$/, '')
    .split(/,\s*(?=\d+ )/)
    .map((r) => r.trim().replace(/^\d+\s+/, ''))
    .filter(Boolean);
}

/** A pod the scheduler has said it cannot place now; undefined while scheduling is still open (or gated). */
export function unschedulable(pod: V1Pod): StartFailure | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  if (c?.status !== 'False' || c.reason !== 'Unschedulable') return undefined;
  const message = c.message ?? 'Unschedulable';
  const reasons = nodeReasons(message);
  // Counts are summed over nodes: one node short of pods is enough for the pod to fit once pods end.
  const capacity = reasons.some((r) => CAPACITY.test(r));
  return { kind: capacity ? 'capacity' : 'placement', reason: `not scheduled: ${message}` };
}

/** A create the API refused: a ResourceQuota that is full is capacity (it frees up); anything else is final. */
export function createRefusal(err: unknown): StartFailure {
  const message = apiErrorMessage(err);
  const code = (err as { code?: unknown })?.code;
  if (code === 403 && /exceeded quota/i.test(message)) return { kind: 'capacity', reason: `could not create pod: quota exceeded: ${message}` };
  return { kind: 'refused', reason: `could not create pod: ${message}` };
}
