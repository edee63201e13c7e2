// netprobe's pods are never Ready (a readiness gate nobody sets), so no Service routes to them, except one
// with publishNotReadyAddresses: it lists every pod its selector matches, Ready or not, in its endpoints and
// DNS records. The probe pod must carry the source's labels to stand for it, so this cannot be avoided,
// only said: while the run lasts, clients of such a Service may reach netprobe's pod. Pure.
import type { ServiceInfo } from '../model/cluster.ts';
import type { Plan } from '../plan/types.ts';
import { matchesSelector } from '../model/selectors.ts';
import type { Finding } from '../verdict/model.ts';
import { netprobePods } from './netprobe-pods.ts';

export function notReadyPublishers(plan: Plan, services: readonly ServiceInfo[]): Finding[] {
  const publishing = services.filter((s) => s.publishNotReadyAddresses === true && s.selector !== undefined && Object.keys(s.selector).length > 0);
  const hits: string[] = [];
  const caseIds = new Set<string>();
  for (const pod of netprobePods(plan)) {
    const matched = publishing.filter((s) => s.namespace === pod.namespace && matchesSelector({ matchLabels: s.selector }, pod.labels));
    if (matched.length === 0) continue;
    hits.push(`the ${pod.what} is published by Service ${matched.map((s) => `${s.namespace}/${s.name}`).join(', ')}`);
    for (const id of pod.caseIds) caseIds.add(id);
  }
  if (hits.length === 0) return [];
  const message = `${hits.join('; ')} (publishNotReadyAddresses: its endpoints and DNS list pods that are not Ready): its clients may reach netprobe's pod while the run lasts.`;
  return [{ pattern: 'publishes-not-ready', message, results: plan.cases.filter((c) => caseIds.has(c.id)).map((c) => c.id) }];
}
