// Is a run over? `netprobe clean` touches by default only runs that are: a live run's pods and
// containers are its evidence. Pure: the objects clean found and the time in, a decision and why out.

/** When the kubelet ends an object by itself: a pod's creation + activeDeadlineSeconds, an ephemeral container's start + its sleep. */
export interface Ending {
  runId: string;
  endsAt?: Date;
}

/** The run's heartbeat in one namespace (a Lease netprobe-<run>, renewed every 10 s while the run lives). */
export interface Heartbeat {
  runId: string;
  renewTime?: Date;
  durationSeconds?: number;
}

export type RunState = { over: boolean; why: string };

const ago = (now: Date, t: Date): string => `${Math.max(0, Math.round((now.getTime() - t.getTime()) / 1000))} s ago`;
const within = (now: Date, t: Date): string => `in ${Math.max(0, Math.round((t.getTime() - now.getTime()) / 1000))} s`;

/**
 * A run with a Lease is live while any of its Leases was renewed within its duration, over once all are
 * stale. A run with no Lease (an older netprobe, or one that only probed from inside pods) falls back to
 * its deadline: live until the last of its pods and containers would end by itself. A run with neither
 * (a doctor namespace between its creation and its first pod) counts as over.
 */
export function runState(runId: string, heartbeats: readonly Heartbeat[], endings: readonly Ending[], now: Date): RunState {
  const leases = heartbeats.filter((h) => h.runId === runId);
  if (leases.length > 0) {
    const expiries = leases.flatMap((l) => (l.renewTime ? [{ renewed: l.renewTime, until: new Date(l.renewTime.getTime() + (l.durationSeconds ?? 30) * 1000) }] : []));
    const fresh = expiries.filter((e) => e.until > now).sort((a, b) => b.renewed.getTime() - a.renewed.getTime())[0];
    if (fresh) return { over: false, why: `its heartbeat was renewed ${ago(now, fresh.renewed)}` };
    const last = expiries.sort((a, b) => b.renewed.getTime() - a.renewed.getTime())[0];
    return { over: true, why: last ? `its heartbeat stopped ${ago(now, last.renewed)}` : 'its heartbeat was never renewed' };
  }
  const ends = endings.filter((e) => e.runId === runId).flatMap((e) => (e.endsAt ? [e.endsAt] : []));
  if (ends.length === 0) return { over: true, why: 'it has no heartbeat and no deadline' };
  const last = new Date(Math.max(...ends.map((d) => d.getTime())));
  return last > now ? { over: false, why: `it has no heartbeat and its deadline is ${within(now, last)}` } : { over: true, why: `its deadline passed ${ago(now, last)}` };
}
