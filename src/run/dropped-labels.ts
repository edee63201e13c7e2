// Probe pods and echo servers never carry the labels controllers own (src/plan/identity.ts). Such a pod
// still stands for its workload only if no policy tells the two apart: a policy whose selector matches one
// and not the other makes every result from (or to) it meaningless, so those become inconclusive. Without
// the policies, losing a label people do select on (`job-name`) is just as undecidable. Pure.
import { matchesSelector } from '../model/selectors.ts';
import type { ManifestSet } from '../policy/manifests.ts';
import { policyKey } from '../policy/types.ts';
import { type LabelSelector } from '../model/selectors.ts';
import { isNamingControllerLabel } from '../plan/identity.ts';
import type { Plan } from '../plan/types.ts';
import type { Result } from '../verdict/model.ts';
import type { Finding } from '../verdict/model.ts';

/** A policy by name with every pod selector in it (its subject's and its peers'). */
export interface PolicySelectors {
  name: string;
  selectors: LabelSelector[];
}

/** Every `podSelector` anywhere in a policy object: NetworkPolicy, AdminNetworkPolicy and baseline alike. */
export function podSelectorsIn(policy: unknown): LabelSelector[] {
  const out: LabelSelector[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const item of x) walk(item);
    else if (typeof x === 'object' && x !== null) {
      for (const [key, value] of Object.entries(x)) {
        if (key === 'podSelector' && typeof value === 'object' && value !== null && !Array.isArray(value)) out.push(value as LabelSelector);
        else walk(value);
      }
    }
  };
  walk(policy);
  return out;
}

/** The pod selectors of every policy netprobe knows (NetworkPolicies, admin and baseline admin policies). */
export function policySelectors(manifests: ManifestSet): PolicySelectors[] {
  return [
    ...manifests.policies.map((p) => ({ name: policyKey(p), selectors: podSelectorsIn(p.spec) })),
    ...[...manifests.adminPolicies, ...manifests.baselinePolicies].map((p) => ({ name: p.metadata.name, selectors: podSelectorsIn(p.spec) })),
  ];
}

/** A pod netprobe starts that lacks some of the labels of what it stands for. */
interface StandIn {
  what: string;
  kept: Record<string, string>;
  dropped: Record<string, string>;
  caseIds: Set<string>;
}

function standIns(plan: Plan): StandIn[] {
  const out: StandIn[] = [];
  for (const s of plan.sources) {
    if (!s.droppedLabels || s.inPod) continue;
    const caseIds = new Set(plan.probes.filter((p) => p.sourceKey === s.key).map((p) => p.caseId));
    out.push({ what: `the probe pod for ${s.standsFor}`, kept: s.labels, dropped: s.droppedLabels, caseIds });
  }
  for (const s of plan.servers) {
    if (!s.droppedLabels) continue;
    const caseIds = new Set(plan.probes.filter((p) => p.target.serverKey === s.key).map((p) => p.caseId));
    out.push({ what: `the echo server for ${s.standsFor}`, kept: s.labels, dropped: s.droppedLabels, caseIds });
  }
  return out;
}

const formatLabels = (labels: Record<string, string>): string => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');

/** What decides a result whose stand-in a policy (maybe) tells apart from the real pod. */
const FROM_INSIDE_STEP = 'probe from inside a running pod of the workload (ephemeral: true on the source), which keeps every label';
const READ_POLICIES_STEP = `let netprobe read the NetworkPolicies (or pass --policies) to check that none selects on the labels left out, or ${FROM_INSIDE_STEP}`;

/** Why the stand-in cannot be vouched for, or undefined when every known policy treats it like the real pod. */
function whyNotEquivalent(s: StandIn, policies: readonly PolicySelectors[] | undefined): string | undefined {
  const dropped = `${s.what} lacks the controller labels ${formatLabels(s.dropped)} (never copied, so no controller adopts it)`;
  if (policies === undefined) {
    const naming = Object.keys(s.dropped).filter(isNamingControllerLabel);
    if (naming.length === 0) return undefined;
    return `${dropped}, and netprobe could not read the policies to rule out one selecting on ${naming.join(', ')}; read access to NetworkPolicies (or --policies) would decide it`;
  }
  const full = { ...s.kept, ...s.dropped };
  const telling = policies.filter((p) => p.selectors.some((sel) => matchesSelector(sel, full) !== matchesSelector(sel, s.kept)));
  if (telling.length === 0) return undefined;
  return `${dropped}, and policy ${telling.map((p) => p.name).join(', ')} selects on them: this pod does not stand for it`;
}

/**
 * Results whose probe pod or echo server a policy tells apart from the real pod become inconclusive with the
 * reason; a finding lists every label dropped. `policies` undefined: the policies could not be read.
 */
export function checkDroppedLabels(plan: Plan, results: readonly Result[], policies: readonly PolicySelectors[] | undefined): { results: Result[]; findings: Finding[] } {
  const all = standIns(plan);
  if (all.length === 0) return { results: [...results], findings: [] };
  const why = new Map<string, string>();
  for (const s of all) {
    const reason = whyNotEquivalent(s, policies);
    if (reason === undefined) continue;
    for (const id of s.caseIds) if (!why.has(id)) why.set(id, reason);
  }
  const out = results.map((r) => {
    const reason = why.get(r.name);
    if (reason === undefined) return r;
    const seen = r.status === 'inconclusive' ? r.detail : `${r.status}: ${r.detail || r.outcome}`;
    const decideBy = policies === undefined ? READ_POLICIES_STEP : FROM_INSIDE_STEP;
    return { ...r, status: 'inconclusive' as const, detail: `${reason} (probe result, not proof: ${seen})`, decideBy };
  });
  const affected = new Set(all.flatMap((s) => [...s.caseIds]));
  const finding: Finding = {
    pattern: 'dropped-labels',
    message: `netprobe's pods do not carry labels controllers own, so no controller adopts them: ${all.map((s) => `${s.what}: ${formatLabels(s.dropped)}`).join('; ')}.`,
    results: results.filter((r) => affected.has(r.name)).map((r) => r.name),
    // Deployments' pods always lose pod-template-hash: worth a line only when it changed a verdict.
    ...(why.size === 0 ? { quiet: true as const } : {}),
  };
  return { results: out, findings: [finding] };
}
