// The pods a run creates, as the cluster's selectors see them: where, with which labels, and which cases
// use them. Pure.
import type { Labels } from '../model/selectors.ts';
import type { Plan } from '../plan/types.ts';

export interface NetprobePod {
  /** `probe pod for web` / `echo server for db`. */
  what: string;
  namespace: string;
  labels: Labels;
  caseIds: string[];
}

export function netprobePods(plan: Plan): NetprobePod[] {
  return [
    ...plan.sources.filter((s) => !s.inPod).map((s) => ({ what: `probe pod for ${s.standsFor}`, namespace: s.namespace, labels: s.labels, caseIds: plan.probes.filter((p) => p.sourceKey === s.key).map((p) => p.caseId) })),
    ...plan.servers.map((s) => ({ what: `echo server for ${s.standsFor}`, namespace: s.namespace, labels: s.labels, caseIds: plan.probes.filter((p) => p.target.serverKey === s.key).map((p) => p.caseId) })),
  ];
}
