// Observed results joined with the policy engine's predictions (`netprobe run --policies` / `--predict`),
// and the run-level findings where they disagree. Pure.
import { predictCase, type ConnectionJudge } from '../policy/predict.ts';
import { withPrediction } from '../verdict/predicted.ts';
import type { PeerWorld } from '../policy/peers.ts';
import type { Case } from '../suite/model.ts';
import { checkDroppedLabels, policySelectors } from './dropped-labels.ts';
import type { RunOutcome } from './run-suites.ts';
import type { PolicyInputs } from './policy-inputs.ts';
import type { Result } from '../verdict/model.ts';
import type { Finding } from '../verdict/model.ts';
import { findPatterns, type CaseEvidence, type RouteEvidence } from '../verdict/patterns.ts';

export function attachPredictions(
  results: readonly Result[],
  cases: readonly Case[],
  engine: ConnectionJudge,
  world: PeerWorld,
  routes: ReadonlyMap<string, RouteEvidence> = new Map(),
): { results: Result[]; findings: Finding[] } {
  const byName = new Map(cases.map((c) => [c.id, c]));
  const evidence = new Map<string, CaseEvidence>();
  const out = results.map((r) => {
    const c = byName.get(r.name);
    if (c === undefined) return r;
    const p = predictCase(engine, world, c);
    const ev: CaseEvidence = { prediction: p.facts };
    const route = routes.get(r.name);
    if (route !== undefined) ev.routes = route;
    evidence.set(r.name, ev);
    return withPrediction(r, p);
  });
  return { results: out, findings: findPatterns(out, evidence) };
}

/** Route disagreements alone, for runs without a prediction. */
export function routeFindings(results: readonly Result[], routes: ReadonlyMap<string, RouteEvidence>): Finding[] {
  const evidence = new Map<string, CaseEvidence>([...routes].map(([k, v]) => [k, { routes: v }]));
  return findPatterns(results, evidence);
}

/**
 * A run's results with everything known beside the probes: the policies' predictions (when read) and
 * where they disagree, probe pods that do not stand for their workload, and the run's own findings.
 */
export function finishResults(outcome: Pick<RunOutcome, 'plan' | 'results' | 'routes' | 'findings'>, policies: PolicyInputs | undefined): { results: Result[]; findings: Finding[] } {
  const routes = outcome.routes ?? new Map<string, RouteEvidence>();
  const predicted = policies === undefined
    ? { results: outcome.results, findings: routeFindings(outcome.results, routes) }
    : attachPredictions(outcome.results, outcome.plan.cases, policies.engine, policies.manifests, routes);
  const dropped = checkDroppedLabels(outcome.plan, predicted.results, policies === undefined ? undefined : policySelectors(policies.manifests));
  return { results: dropped.results, findings: [...predicted.findings, ...dropped.findings, ...(outcome.findings ?? [])] };
}
