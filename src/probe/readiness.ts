// When each of a run's pods became usable (or was given up on), so that a source pod can start probing as
// soon as it and the echo servers it probes are Ready and settled, while other pods are still starting.
import type { PodState } from '../cluster/pods.ts';

export interface PodOutcome {
  state: PodState;
  /** When netprobe saw the final state (ms since the epoch). */
  at: number;
}

export class PodReadiness {
  private readonly outcomes = new Map<string, PodOutcome>();
  private readonly waiters = new Map<string, ((o: PodOutcome) => void)[]>();

  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Records a pod's final state; the first record wins. */
  record(id: string, state: PodState): void {
    if (this.outcomes.has(id)) return;
    const outcome = { state, at: this.now() };
    this.outcomes.set(id, outcome);
    for (const resolve of this.waiters.get(id) ?? []) resolve(outcome);
    this.waiters.delete(id);
  }

  /** Resolves once the pod has a final state. */
  when(id: string): Promise<PodOutcome> {
    const known = this.outcomes.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  get finalCount(): number {
    return this.outcomes.size;
  }

  get readyCount(): number {
    return [...this.outcomes.values()].filter((o) => o.state.ready).length;
  }

  /** The latest time any of these pods reached its final state: rules for all of them are settling since. */
  latest(ids: readonly string[]): number {
    return Math.max(0, ...ids.map((id) => this.outcomes.get(id)?.at ?? 0));
  }
}
