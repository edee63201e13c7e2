// Judging a plan with chosen outcomes, for tests of rules that span planning and judging.
import type { Plan } from '../../../src/plan/types.ts';
import type { ProbeObservation } from '../../../src/probe/types.ts';
import { judge } from '../../../src/verdict/judge.ts';
import type { Outcome } from '../../../src/probe/types.ts';
import type { Result } from '../../../src/verdict/model.ts';

/** Judges with one outcome per probe, chosen by a function of the probe; every source also got a reply elsewhere. */
export function judgeBy(plan: Plan, pick: (p: Plan['probes'][number]) => Outcome | [Outcome, Partial<ProbeObservation>]): Result[] {
  const observations = new Map<string, ProbeObservation>();
  for (const p of plan.probes) {
    const o = pick(p);
    const [outcome, extra] = Array.isArray(o) ? o : [o, {}];
    observations.set(p.id, { probeId: p.id, outcome, detail: outcome, ms: 5, attempts: 1, ...extra });
  }
  const controls = plan.sources.map((s, i) => ({ id: `control#${i}`, caseId: 'control', sourceKey: s.key, timeoutMs: 1000, attempts: 1, target: { kind: 'tcp' as const, host: '10.9.9.9', port: 9, route: 'host' as const, display: 'control', aliveKeys: [] } }));
  for (const c of controls) observations.set(c.id, { probeId: c.id, outcome: 'refused', detail: '', ms: 1, attempts: 1 });
  return judge({ plan: { ...plan, probes: [...plan.probes, ...controls] }, observations });
}

