// Probe observations -> verdicts. The rules that make a verdict proof:
// - allow passes only on a connection (and the expected HTTP status, when one is asked for);
// - deny passes only on a timeout or a rejection AND once the target is shown to be alive;
// - a probe error, a name that did not resolve, or a probe that could not run is never "blocked".
import type { Plan, PlannedProbe, Undecided } from '../plan/types.ts';
import type { ProbeObservation } from '../probe/types.ts';
import type { Case } from '../suite/model.ts';
import type { Outcome } from '../probe/types.ts';
import type { Observed, Result, Status } from './model.ts';
import { resultBase } from './result-base.ts';
import type { RouteEvidence } from './patterns.ts';
import { meshUnproven } from './mesh-rule.ts';
import type { Mesh } from '../plan/mesh.ts';
import { denialKind, describeDenial, isNetworkAnswer } from './evidence.ts';
import { DEAF_SOURCE_STEP, denialStep, DNS_FAILURE_STEP, NOT_RUN_STEP, PROBE_ERROR_STEP, showAliveStep } from './decide-by.ts';

export interface JudgeInput {
  plan: Plan;
  observations: ReadonlyMap<string, ProbeObservation>;
  /** Liveness learned during the run (control probes): alive key -> why. */
  aliveExtra?: Readonly<Record<string, string>>;
  /** A command to see the same thing by hand. */
  reproduce?: (probe: PlannedProbe) => string;
  /** The address each control probe reached: alive key -> IP (a name may resolve elsewhere in the pod). */
  controlAddresses?: Readonly<Record<string, string>>;
  /** Probe pods whose rules were not shown programmed before they probed: source key -> why. */
  unsettled?: Readonly<Record<string, string>>;
  /** --verify-targets: alive keys whose pod's sockets showed no listener, or could not be read -> why. */
  targetChecks?: TargetChecks;
}

type TargetChecks = { notListening: Readonly<Record<string, string>>; failed: Readonly<Record<string, string>> };

interface ProbeVerdict {
  probe: PlannedProbe;
  obs: ProbeObservation;
  status: Status;
  observed: Observed;
  why: string;
  /** Set when inconclusive: the step that would decide it. */
  decideBy?: string;
}

/** A verdict that is not one, with what would decide it. */
type Judged = [Exclude<Status, 'inconclusive'>, Observed, string] | ['inconclusive', 'unknown', string, string];

const SEVERITY: Record<Status, number> = { leak: 3, broken: 2, inconclusive: 1, pass: 0 };

export function judge(input: JudgeInput): Result[] {
  const sourceMesh = new Map(input.plan.sources.map((s) => [s.key, s.mesh]));
  const alive = collectAlive(input, sourceMesh);
  const answered = sourcesThatGotAnswers(input, sourceMesh);
  const byCase = new Map<string, PlannedProbe[]>();
  for (const p of input.plan.probes) {
    if (p.vouch !== undefined) continue;
    const list = byCase.get(p.caseId) ?? [];
    list.push(p);
    byCase.set(p.caseId, list);
  }
  const reasonsByCase = new Map<string, Undecided[]>();
  for (const u of input.plan.unprobeable) {
    const list = reasonsByCase.get(u.caseId) ?? [];
    list.push(u);
    reasonsByCase.set(u.caseId, list);
  }
  return input.plan.cases.map((c) => {
    const verdicts = (byCase.get(c.id) ?? []).map((probe) => {
      const obs = input.observations.get(probe.id) ?? notRun(probe.id);
      const meshWhy = meshUnproven(probe, obs, sourceMesh.get(probe.sourceKey));
      if (meshWhy !== undefined) return { probe, obs, status: 'inconclusive' as const, observed: 'unknown' as const, why: meshWhy.reason, decideBy: meshWhy.decideBy };
      const elsewhere = controlElsewhere(probe, obs, input);
      if (elsewhere === undefined) return judgeProbe(c, probe, obs, alive, answered, input.targetChecks);
      const withoutControl = new Map(alive);
      for (const k of probe.target.aliveKeys) withoutControl.delete(k);
      const v = judgeProbe(c, probe, obs, withoutControl, answered, input.targetChecks);
      return v.status === 'inconclusive' ? { ...v, why: `${v.why} (${elsewhere})` } : v;
    });
    const result = caseResult(c, verdicts, reasonsByCase.get(c.id) ?? [], input.reproduce);
    const notes = [...new Set(verdicts.map((v) => input.unsettled?.[v.probe.sourceKey]).filter((n): n is string => n !== undefined))];
    if (notes.length > 0) result.detail = `${result.detail}; note: ${notes.join('; ')}`;
    return result;
  });
}

/**
 * Why a control probe's "alive" does not hold for this probe: the control reached one address of a name,
 * the pod another (split DNS, a rewrite in the cluster's DNS). Undefined when it holds or none was made.
 */
function controlElsewhere(probe: PlannedProbe, obs: ProbeObservation, input: JudgeInput): string | undefined {
  for (const k of probe.target.aliveKeys) {
    const reached = input.controlAddresses?.[k];
    if (reached === undefined || input.aliveExtra?.[k] === undefined || obs.remote === reached) continue;
    return `netprobe's own machine reached ${reached}, the probe pod ${obs.remote ?? 'an unknown address'}: the control probe vouches for another machine`;
  }
  return undefined;
}

function notRun(probeId: string): ProbeObservation {
  return { probeId, outcome: 'not-run', detail: 'the probe did not run', ms: 0, attempts: 0 };
}

function collectAlive(input: JudgeInput, sourceMesh: ReadonlyMap<string, Mesh | undefined>): Map<string, string> {
  const alive = new Map(Object.entries(input.plan.alive));
  for (const [k, v] of Object.entries(input.aliveExtra ?? {})) alive.set(k, v);
  // A connection (or any HTTP answer) from anywhere in this run proves the destination listens.
  for (const p of input.plan.probes) {
    const o = input.observations.get(p.id);
    if (o && (o.outcome === 'connected' || o.outcome === 'http-status')) {
      // Through a Service, one backend answered, but which one is unknown: vouch only when there is one.
      if (p.target.route === 'service' && p.target.aliveKeys.length > 1) continue;
      // A mesh proxy may have answered in the target's place.
      if (meshUnproven(p, o, sourceMesh.get(p.sourceKey)) !== undefined) continue;
      const why = p.vouch !== undefined
        ? `a control probe from ${p.vouch}, an identity the policies allow, connected to it in this run`
        : `a probe from ${p.sourceKey.split('|')[0]} connected to it in this run`;
      for (const k of p.target.aliveKeys) if (!alive.has(k)) alive.set(k, why);
    }
  }
  return alive;
}

/**
 * Probe pods that got any reply from anything in this run. A pod whose every probe timed out may have
 * no working network itself; its timeouts then prove nothing about the policy.
 */
function sourcesThatGotAnswers(input: JudgeInput, sourceMesh: ReadonlyMap<string, Mesh | undefined>): Set<string> {
  const out = new Set<string>();
  for (const p of input.plan.probes) {
    const o = input.observations.get(p.id);
    // A mesh proxy's answer comes from inside the pod: it says nothing of the pod's network.
    if (o && isNetworkAnswer(o) && meshUnproven(p, o, sourceMesh.get(p.sourceKey)) === undefined) out.add(p.sourceKey);
  }
  return out;
}

/**
 * Why the probe's destination is known to be alive, or undefined. Through a Service the probe may have
 * reached any backend, so every backend must be shown alive; elsewhere the target has one key.
 */
function aliveReason(probe: PlannedProbe, alive: Map<string, string>): string | undefined {
  const keys = probe.target.aliveKeys;
  const whys = keys.map((k) => alive.get(k));
  if (probe.target.route === 'service') {
    if (keys.length === 0 || whys.some((w) => w === undefined)) return undefined;
    return keys.length === 1 ? whys[0] : `every backend (${keys.length}) shown alive, e.g. ${whys[0]}`;
  }
  return whys.find((w) => w !== undefined);
}

function judgeProbe(c: Case, probe: PlannedProbe, obs: ProbeObservation, alive: Map<string, string>, answered: Set<string>, checks?: TargetChecks): ProbeVerdict {
  const e = c.expectation;
  const allow = e.expect === 'allow';
  const where = probe.target.display;
  const v = (...[status, observed, why, decideBy]: Judged): ProbeVerdict => (decideBy === undefined ? { probe, obs, status, observed, why } : { probe, obs, status, observed, why, decideBy });
  const wanted = e.http?.expectStatus;

  switch (obs.outcome) {
    case 'connected':
    case 'http-status': {
      if (probe.target.kind === 'http' && obs.httpStatus !== undefined && wanted !== undefined && obs.httpStatus !== wanted) {
        // An HTTP answer other than the expected status.
        const why = `${where} answered HTTP ${obs.httpStatus}, not ${wanted}`;
        if (allow) return v('broken', 'denied', why);
        const l7 = statusOnDeny(obs.httpStatus);
        if (l7.status === 'inconclusive') return v('inconclusive', 'unknown', `${why}${l7.why}`, l7.decideBy ?? PROBE_ERROR_STEP);
        return v(l7.status, l7.observed, `${why}${l7.why}`);
      }
      const what = obs.httpStatus !== undefined ? `HTTP ${obs.httpStatus} from ${where}` : `connected to ${where}`;
      return allow ? v('pass', 'allowed', what) : v('leak', 'allowed', `${what}: traffic that must be denied got through`);
    }
    case 'timeout':
    case 'unreachable':
    case 'refused':
      return v(...judgeDenial(allow, probe, obs, alive, answered, checks));
    case 'dns-failure':
      return v('inconclusive', 'unknown', `name did not resolve from the source (${obs.detail}); the path itself was not tested`, DNS_FAILURE_STEP);
    case 'error':
      return v('inconclusive', 'unknown', `probe error: ${obs.detail}`, PROBE_ERROR_STEP);
    case 'not-run':
      return v('inconclusive', 'unknown', obs.detail, NOT_RUN_STEP);
  }
}

/**
 * What an HTTP status other than the one that means "allowed" says on a deny. Only a 4xx is the server
 * rejecting the request; a 5xx is a failure of whatever answered (the app, or a proxy in front of it), a 3xx
 * points elsewhere, and a 2xx served the request.
 */
export function statusOnDeny(status: number): { status: Status; observed: Observed; why: string; decideBy?: string } {
  if (status >= 400 && status < 500) return { status: 'pass', observed: 'denied', why: ' (rejected at L7)' };
  if (status >= 200 && status < 300) return { status: 'leak', observed: 'allowed', why: ': a success, the request was served' };
  if (status >= 500) {
    return {
      status: 'inconclusive',
      observed: 'unknown',
      why: ': a server error, not a rejection (the request reached an HTTP server or proxy that failed)',
      decideBy: 'probe again once the server answers the expected status or a 4xx',
    };
  }
  if (status >= 300) {
    return {
      status: 'inconclusive',
      observed: 'unknown',
      why: ': a redirect, not a rejection (netprobe does not follow redirects)',
      decideBy: 'probe the path it points to, or make the redirect the expectStatus',
    };
  }
  return { status: 'inconclusive', observed: 'unknown', why: ': an informational status, neither a rejection nor an answer', decideBy: 'probe a path that answers with a final status' };
}

/**
 * A probe that did not connect. Only the network's answer counts (src/verdict/evidence.ts): an error
 * of the pod's own stack or UDP silence from a target not known to answer decides nothing; a closed
 * port is not the policy; an enforcement point's rejection proves a deny on its own; a timeout or a
 * router's unreachable proves it once the source got answers and the target is shown alive.
 */
function judgeDenial(allow: boolean, probe: PlannedProbe, obs: ProbeObservation, alive: Map<string, string>, answered: Set<string>, checks?: TargetChecks): Judged {
  const aliveWhy = aliveReason(probe, alive);
  const kind = denialKind(probe, obs, aliveWhy !== undefined);
  const how = describeDenial(kind, probe, obs);
  const deaf = (kind === 'silence' || kind === 'unanswerable') && !answered.has(probe.sourceKey);
  const deafNote = 'no probe from this probe pod got any answer in this run, so its own network may be down';
  if (kind === 'local') return ['inconclusive', 'unknown', how, denialStep(kind, probe)];
  if (kind === 'unanswerable') return ['inconclusive', 'unknown', `${how}${deaf ? `; also, ${deafNote}` : ''}`, denialStep(kind, probe)];
  if (allow) return ['broken', 'denied', `${how}: an allowed path fails${deaf ? ` (${deafNote})` : ''}`];
  if (kind === 'closed') return ['inconclusive', 'unknown', `${how}: the policy was not what stopped it, so the deny is not shown`, denialStep(kind, probe)];
  if (deaf) return ['inconclusive', 'unknown', `${how}, but ${deafNote}: a silent source and a blocked path look the same`, DEAF_SOURCE_STEP];
  if (aliveWhy) return ['pass', 'denied', `${how}; target alive: ${aliveWhy}`];
  // kube-proxy rejects the same way for a Service with no ready backend, and a host or URL may be a
  // ClusterIP, NodePort or load balancer: only a pod address or an echo server is proven by the rejection.
  if (kind === 'rejected' && (probe.target.route === 'pod' || probe.target.route === 'server')) return ['pass', 'denied', `${how}: that proves the deny without the target shown alive`];
  const unshown = `${how}, but nothing shows the target is alive: blocked and dead look the same`;
  return notShownByCheck(probe, unshown, checks) ?? ['inconclusive', 'unknown', unshown, showAliveStep(probe)];
}

/** An unproven deny whose target pod's sockets were read (--verify-targets): what they showed, and what would decide it. */
function notShownByCheck(probe: PlannedProbe, unshown: string, checks: TargetChecks | undefined): Judged | undefined {
  const keys = probe.target.aliveKeys;
  const idle = keys.map((k) => checks?.notListening[k]).find((w) => w !== undefined);
  if (idle !== undefined) return ['inconclusive', 'unknown', `${unshown}; ${idle}`, denialStep('closed', probe)];
  const failed = keys.map((k) => checks?.failed[k]).find((w) => w !== undefined);
  return failed === undefined ? undefined : ['inconclusive', 'unknown', `${unshown}; ${failed}`, showAliveStep(probe)];
}

function caseResult(c: Case, verdicts: ProbeVerdict[], undecided: Undecided[], reproduce?: (p: PlannedProbe) => string): Result {
  const reasons = undecided.map((u) => u.reason);
  let worst: ProbeVerdict | undefined;
  for (const pv of verdicts) if (!worst || SEVERITY[pv.status] > SEVERITY[worst.status]) worst = pv;

  let status: Status;
  let observed: Observed;
  let outcome: Outcome;
  let detail: string;
  if (!worst || (worst.status === 'pass' && reasons.length > 0)) {
    status = 'inconclusive';
    observed = 'unknown';
    outcome = worst ? worst.obs.outcome : 'not-run';
    detail = reasons.join('; ') || 'nothing to probe';
  } else {
    status = worst.status;
    observed = worst.observed;
    outcome = worst.obs.outcome;
    detail = worst.why + disagreement(verdicts) + (reasons.length > 0 ? `; also: ${reasons.join('; ')}` : '');
  }
  const result: Result = {
    ...resultBase(c),
    observed,
    outcome,
    status,
    durationMs: Math.max(0, ...verdicts.map((p) => p.obs.ms)),
    attempts: Math.max(0, ...verdicts.map((p) => p.obs.attempts)),
    detail,
  };
  if (status === 'inconclusive') result.decideBy = decideStep(verdicts, undecided);
  if (worst?.obs.httpStatus !== undefined) result.httpStatus = worst.obs.httpStatus;
  if (worst && status !== 'pass' && reproduce) result.reproduce = reproduce(worst.probe);
  return result;
}

/** The steps that would decide an inconclusive case: each distinct one, the probes' first. */
function decideStep(verdicts: ProbeVerdict[], undecided: Undecided[]): string {
  const steps = [...verdicts.map((v) => (v.status === 'inconclusive' ? v.decideBy : undefined)), ...undecided.map((u) => u.decideBy)];
  const distinct = [...new Set(steps.filter((s): s is string => s !== undefined))];
  return distinct.join('; ') || 'nothing to probe: give the expectation a destination that exists';
}

/** When the Service route and the pod route (or two pods) disagree, say so: it is a finding in itself. */
function disagreement(verdicts: ProbeVerdict[]): string {
  const got = verdicts.filter((v) => v.observed === 'allowed');
  const not = verdicts.filter((v) => v.observed === 'denied');
  if (got.length === 0 || not.length === 0) return '';
  return ` (paths disagree: connected via ${got.map((v) => v.probe.target.route).join(', ')}, not via ${not.map((v) => v.probe.target.route).join(', ')})`;
}

/** Per case, the routes (`pod`, `service`, ...) on which a probe connected and those on which it did not. */
export function routeEvidence(plan: Plan, observations: ReadonlyMap<string, ProbeObservation>): Map<string, RouteEvidence> {
  const out = new Map<string, RouteEvidence>();
  const cases = new Map(plan.cases.map((c) => [c.id, c]));
  const sourceMesh = new Map(plan.sources.map((s) => [s.key, s.mesh]));
  for (const p of plan.probes) {
    const obs = observations.get(p.id);
    if (obs === undefined || p.vouch !== undefined || meshUnproven(p, obs, sourceMesh.get(p.sourceKey)) !== undefined) continue;
    const expectation = cases.get(p.caseId)?.expectation;
    const wanted = expectation?.http?.expectStatus;
    const l7No = obs.httpStatus !== undefined && wanted !== undefined && obs.httpStatus !== wanted;
    // As judgeProbe reads it: on an allow any other status fails the path; on a deny it depends on the status.
    const l7Side = !l7No ? 'allowed' : expectation?.expect === 'allow' ? 'denied' : statusOnDeny(obs.httpStatus!).observed;
    const side = obs.outcome === 'connected' || obs.outcome === 'http-status' ? (l7Side === 'unknown' ? undefined : l7Side)
      : (obs.outcome === 'timeout' || obs.outcome === 'refused' || obs.outcome === 'unreachable') && obs.answeredBy !== 'local' ? 'denied' : undefined;
    if (side === undefined) continue;
    const e = out.get(p.caseId) ?? { allowed: [], denied: [] };
    if (!e[side].includes(p.target.route)) e[side].push(p.target.route);
    out.set(p.caseId, e);
  }
  return out;
}
