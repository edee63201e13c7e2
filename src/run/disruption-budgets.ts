// A PodDisruptionBudget with maxUnavailable (or a percentage minAvailable) needs the scale of the controller
// of every pod it selects. netprobe's pods carry the source's labels, so such a budget selects them, and
// their controller (the run's Lease) has no scale: the disruption controller cannot count, and allows no
// eviction of that workload (drains wait) until the pod is gone. Unavoidable while the pod must stand for
// the workload; said, with the budgets' names. Pure.
import type { DisruptionBudgetInfo } from '../model/cluster.ts';
import { matchesSelector, isEmptySelector } from '../model/selectors.ts';
import type { Plan } from '../plan/types.ts';
import type { Finding } from '../verdict/model.ts';
import { netprobePods } from './netprobe-pods.ts';

export function disruptionBudgetsHeld(plan: Plan, budgets: readonly DisruptionBudgetInfo[]): Finding[] {
  const counting = budgets.filter((b) => b.needsScale);
  const hits: string[] = [];
  const caseIds = new Set<string>();
  for (const pod of netprobePods(plan)) {
    // An empty selector selects every pod of the namespace (policy/v1).
    const held = counting.filter((b) => b.namespace === pod.namespace && (isEmptySelector(b.selector) || matchesSelector(b.selector, pod.labels)));
    if (held.length === 0) continue;
    hits.push(`the ${pod.what} is selected by PodDisruptionBudget ${held.map((b) => `${b.namespace}/${b.name}`).join(', ')}`);
    for (const id of pod.caseIds) caseIds.add(id);
  }
  if (hits.length === 0) return [];
  const message = `${hits.join('; ')} (maxUnavailable or a percentage: it needs the scale of each selected pod's controller, and netprobe's pods have none): no eviction of those pods is allowed, so drains wait, until the run ends.`;
  return [{ pattern: 'holds-disruption-budget', message, results: plan.cases.filter((c) => caseIds.has(c.id)).map((c) => c.id) }];
}
