// One run, end to end: cases -> cluster snapshot -> plan -> permission check -> probes -> verdicts.
// Everything netprobe creates carries the run id and is deleted before this returns, also when the run
// is aborted (Ctrl-C, SIGTERM) or fails half-way.
import { randomBytes } from 'node:crypto';
import { missingPermissions, describePermission } from '../cluster/access.ts';
import type { ClusterTarget } from '../cluster/connect.ts';
import { apiErrorMessage, ClusterUnreachableError } from '../cluster/errors.ts';
import { deleteRunPods } from '../cluster/pods.ts';
import { readSnapshot } from '../cluster/read.ts';
import { createRunAnchors } from '../cluster/run-owner.ts';
import { buildPlan, DEFAULT_MAX_PROBES } from '../plan/plan.ts';
import { formatPos } from '../suite/diagnostics.ts';
import { describeMesh } from '../plan/mesh.ts';
import type { Plan, PlanOptions } from '../plan/types.ts';
import type { ClusterSnapshot } from '../model/cluster.ts';
import { addVouchers, type MayReach } from '../plan/vouch.ts';
import { planCanaries, type PredictPath } from '../plan/canary.ts';
import { addTargetChecks } from '../plan/verify.ts';
import { reproduceCommand } from '../probe/reproduce.ts';
import type { RunnerOptions } from '../probe/runner.ts';
import { planWaves, type PodBudget, type Wave } from '../plan/waves.ts';
import { executeInWaves, podNamespacesOf, readPodBudget, wavesDeadlineSeconds } from './waves.ts';
import type { Case } from '../suite/model.ts';
import { beyond, namespaceUse, plannedUse, usePermissions, type NamespaceUse } from './namespace-use.ts';
import { judge, routeEvidence } from '../verdict/judge.ts';
import type { Finding } from '../verdict/model.ts';
import type { RouteEvidence } from '../verdict/patterns.ts';
import { notReadyPublishers } from './not-ready-services.ts';
import { disruptionBudgetsHeld } from './disruption-budgets.ts';
import type { Result } from '../verdict/model.ts';
import { redactText } from '../util/redact.ts';

/** The pods' deadline is not a setting: it follows the plan (runDeadlineSeconds). */
export interface RunSettings extends Omit<RunnerOptions, 'runId' | 'signal' | 'deadlineSeconds' | 'wave'> {
  plan: Partial<PlanOptions>;
  dryRun: boolean;
  /** --max-pods: most of netprobe's pods at once (the run goes in waves: src/plan/waves.ts). */
  maxPods?: number;
  /** A line for people while the run goes on: the waves planned, what the budget could not read. */
  onNote?: (line: string) => void;
  /** Set when the policies are known: control probes from identities they allow vouch for deny targets. */
  mayReach?: MayReach;
  /** Set when the policies are known: canaries show each probe pod's rules programmed (instead of a fixed settle). */
  predictPath?: PredictPath;
  /**
   * The cluster as just read by the caller (isolation, matrix: what the probe set was built from): used
   * instead of reading it again when it holds every namespace the cases read (snapshotCovers).
   */
  snapshot?: ClusterSnapshot;
}

/** Whether a snapshot holds every one of these namespaces (one that does not exist is read again: the run says so). */
export function snapshotCovers(snapshot: ClusterSnapshot, namespaces: readonly string[]): boolean {
  const held = new Set(snapshot.namespaces.map((n) => n.name));
  return namespaces.every((n) => held.has(n));
}

export interface RunOutcome {
  runId: string;
  plan: Plan;
  results: Result[];
  /** Pods deleted at the end. */
  cleaned: boolean;
  /** Run-level notes found while planning (Services that publish netprobe's not-ready pods). */
  findings?: Finding[];
  /** Per case: the routes a probe connected on and those it did not (for run-level patterns). */
  routes?: Map<string, RouteEvidence>;
  timings?: { startMs: number; settleMs: number; probeMs: number };
  /** The waves planned, and the budget they follow (absent when the plan starts no pod). */
  waves?: { waves: Wave[]; budget: PodBudget };
}

export class PermissionError extends Error {}

/** The plan needs more probes than allowed: bad input, reported at the expectation (`file:line:col: ...`). */
export class InputLimitError extends Error {}

function probeLimitMessage(over: NonNullable<Plan['overLimit']>, max: number): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const before = over.probes - over.caseProbes;
  return `${formatPos(over.pos)}: expectation needs ${count(over.caseProbes)} probes against the cluster as it is${before > 0 ? ` after ${count(before)} probes before it` : ''}, over the limit of ${count(max)} probes; expected fewer sources, destinations or ports (split it, or select with --only), or raise the limit with --max-probes`;
}

export function newRunId(): string {
  return randomBytes(4).toString('hex').slice(0, 6);
}

async function requirePermissions(target: ClusterTarget, use: NamespaceUse): Promise<void> {
  const perms = usePermissions(use);
  if (perms.length === 0) return;
  const missing = await missingPermissions(target.kc, perms).catch((err: unknown) => {
    throw new ClusterUnreachableError(`cannot reach the cluster at ${target.server}: ${apiErrorMessage(err)}`);
  });
  if (missing.length > 0) {
    throw new PermissionError(`missing permissions (nothing was created):\n${missing.map((p) => `  - ${describePermission(p)}`).join('\n')}\n\`netprobe rbac SUITE...\` prints namespaced Roles that grant exactly what a run of those suites needs.`);
  }
}

export { namespacesOf } from './namespace-use.ts';

export async function runCases(target: ClusterTarget, cases: readonly Case[], settings: RunSettings, signal: AbortSignal, runId = newRunId()): Promise<RunOutcome> {
  const { kc } = target;
  // Ask before touching anything, so a missing permission is named instead of failing half-way.
  const certain = namespaceUse(cases, { ephemeral: settings.plan.ephemeral === true, synthesizeMissing: false, verifyTargets: settings.plan.verifyTargets === true }, 'certain');
  const readNamespaces = certain.read;
  if (!settings.dryRun) await requirePermissions(target, certain);
  let snapshot;
  try {
    const given = settings.snapshot;
    snapshot = given !== undefined && snapshotCovers(given, readNamespaces) ? given : await readSnapshot(kc, readNamespaces);
  } catch (err) {
    throw new ClusterUnreachableError(`cannot read the cluster at ${target.server}: ${apiErrorMessage(err)}`);
  }
  const built = buildPlan(cases, snapshot, settings.plan);
  const vouched = settings.mayReach ? addVouchers(built, settings.mayReach) : built;
  const checked = settings.plan.verifyTargets === true ? addTargetChecks(vouched, snapshot.pods) : vouched;
  const plan = settings.predictPath ? planCanaries(checked, settings.predictPath) : checked;
  if (plan.overLimit) throw new InputLimitError(probeLimitMessage(plan.overLimit, settings.plan.maxProbes ?? DEFAULT_MAX_PROBES));
  const podNamespaces = podNamespacesOf(plan);
  const budget = podNamespaces.length > 0
    ? await readPodBudget(kc, plan, settings).catch((err: unknown): PodBudget => ({ perNamespace: {}, why: [], unread: [`the pod budget could not be read: ${apiErrorMessage(err)}`] }))
    : undefined;
  const planned = budget === undefined ? undefined : { waves: planWaves(plan, budget), budget };
  if (settings.dryRun) return { runId, plan, results: [], cleaned: true, ...(planned ? { waves: planned } : {}) };
  if (planned) for (const line of wavesNotes(planned)) settings.onNote?.(line);

  // Echo servers (and sources that fell back from --ephemeral) may go where the first check did not look.
  await requirePermissions(target, beyond(plannedUse(plan), certain));

  // The run's anchor ends the pods once the worst case of every wave is over, should netprobe never come back.
  const deadlineSeconds = wavesDeadlineSeconds(plan, planned?.waves ?? [], settings);
  // The owner of every pod this run makes, and its heartbeat (src/cluster/run-owner.ts).
  const anchors = podNamespaces.length > 0
    ? await createRunAnchors(kc, runId, podNamespaces, { deadlineSeconds, image: settings.probeImage }).catch((err: unknown) => {
        throw new PermissionError(`could not create the run's owner (Lease and Job netprobe-${runId}; nothing else was created): ${apiErrorMessage(err)}`);
      })
    : undefined;
  let execution;
  let cleaned = false;
  try {
    execution = await executeInWaves(kc, plan, planned?.waves ?? [], { ...settings, runId, signal, ...(anchors ? { owners: anchors.owners } : {}) });
  } finally {
    // Delete whatever this run created, even when probing failed or was aborted.
    await Promise.all([deleteRunPods(kc, runId, podNamespaces), anchors?.release()]).then(
      () => (cleaned = true),
      () => (cleaned = false),
    );
  }
  const sources = new Map(plan.sources.map((s) => [s.key, s]));
  const results = judge({
    plan,
    observations: execution.observations,
    aliveExtra: execution.aliveExtra,
    controlAddresses: execution.controlAddresses,
    unsettled: execution.unsettled,
    ...(execution.targetChecks ? { targetChecks: execution.targetChecks } : {}),
    reproduce: (p) => reproduceCommand(p, sources.get(p.sourceKey), settings.probeImage, execution.serverIps),
  });
  const findings = [...notReadyPublishers(plan, snapshot.services), ...disruptionBudgetsHeld(plan, snapshot.disruptionBudgets ?? [])];
  return { runId, plan, results, cleaned, timings: execution.timings, routes: routeEvidence(plan, execution.observations), ...(findings.length > 0 ? { findings } : {}), ...(planned ? { waves: planned } : {}) };
}

/** What a run says of its waves as it starts: how many and why, and what the budget could not read. */
function wavesNotes(planned: { waves: Wave[]; budget: PodBudget }): string[] {
  const { unread, why } = planned.budget;
  return planned.waves.length <= 1 ? unread : [...unread, `${planned.waves.length} waves: ${why.join('; ')}`];
}

/** The waves as text, for --dry-run: how many, what each starts, and the budget they follow. */
export function describeWaves(plan: Plan, planned: { waves: Wave[]; budget: PodBudget }): string[] {
  const { waves, budget } = planned;
  const limits = [budget.total === undefined ? undefined : `${budget.total} pods at once`, ...Object.entries(budget.perNamespace).map(([ns, n]) => `${n} in ${ns}`)].filter(Boolean);
  const lines = [`${waves.length === 1 ? 'one wave' : `${waves.length} waves`}: ${limits.length > 0 ? `room for ${limits.join(', ')}` : 'no limit known'}`];
  for (const why of [...budget.unread, ...budget.why]) lines.push(`  budget: ${why}`);
  if (waves.length > 1) {
    const inPod = new Set(plan.sources.filter((s) => s.inPod).map((s) => s.key));
    waves.forEach((w, i) => {
      const pods = w.sources.filter((k) => !inPod.has(k)).length;
      lines.push(`  wave ${i + 1}: ${pods} probe pod${pods === 1 ? '' : 's'}, ${w.servers.length} echo server${w.servers.length === 1 ? '' : 's'}${pods < w.sources.length ? `, ${w.sources.length - pods} ephemeral containers` : ''}`);
    });
  }
  return lines;
}

/** The plan as text, for --dry-run: what would be created where, and what cannot be probed. */
export function describePlan(plan: Plan): string[] {
  const lines: string[] = [];
  const perSource = new Map<string, number>();
  for (const p of plan.probes) perSource.set(p.sourceKey, (perSource.get(p.sourceKey) ?? 0) + 1);
  const inPod = plan.sources.filter((s) => s.inPod).length;
  const ephemeralText = inPod > 0 ? `, ${inPod} ephemeral containers in running pods (they stay in those pods' specs)` : '';
  lines.push(`${plan.cases.length} cases, ${plan.probes.length} probes, ${plan.sources.length - inPod} probe pods, ${plan.servers.length} echo servers${ephemeralText}`);
  for (const s of plan.sources) {
    if (s.inPod) {
      const mesh = s.mesh ? `; behind its ${describeMesh(s.mesh)}: a TCP connect proves nothing` : '';
      lines.push(`  ephemeral container in pod ${s.namespace}/${s.inPod} (for ${s.standsFor}); ${perSource.get(s.key) ?? 0} probes${mesh}`);
      continue;
    }
    const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',') || '(no labels)';
    lines.push(`  probe pod in ${s.namespace}: labels ${labels}, serviceAccount ${s.serviceAccount} (for ${s.standsFor}); ${perSource.get(s.key) ?? 0} probes`);
  }
  for (const s of plan.servers) {
    const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',') || '(no labels)';
    lines.push(`  echo server in ${s.namespace}: labels ${labels}, ports ${s.ports.map((p) => `${p.port}/${p.protocol}`).join(',')} (for ${s.standsFor})`);
  }
  const meshed = new Map(plan.probes.flatMap((p) => (p.target.mesh ? [[p.target.display, p.target.mesh] as const] : [])));
  for (const [display, mesh] of meshed) lines.push(redactText(`  ${display} sits behind a ${describeMesh(mesh)}: a TCP connect to it proves nothing`));
  for (const p of plan.probes) if (p.vouch !== undefined) lines.push(redactText(`  control probe from ${p.vouch} (the policies allow it) to ${p.target.display}: it vouches the target alive for denies`));
  for (const c of plan.targetChecks ?? []) lines.push(`  --verify-targets: ephemeral container in pod ${c.namespace}/${c.pod} (it stays in the pod's spec) reads its sockets for TCP ${c.ports.map((p) => p.port).join(', ')}`);
  for (const u of plan.unprobeable) lines.push(redactText(`  cannot probe ${u.caseId}: ${u.reason}`));
  return lines;
}
