// Control probes from an identity the policies allow (issue 11): a deny counts only once its target is
// shown alive, and a target that declares no readiness probe and that no allow expectation connects to
// would stay inconclusive. If a source already in the run may reach target:port by the policies, one
// probe from it that connects shows the target alive for every other source: zero extra pods. Pure.
import type { L4, Plan, PlannedProbe, SourceIdentity } from './types.ts';

/** Whether the policies let `source` reach the pod at `ip` on `port` (the policy engine's prediction). */
export type MayReach = (source: SourceIdentity, ip: string, port: number, l4: L4) => boolean;

/** The caseId of control probes; the judge tells them by `vouch`, never by this. */
const VOUCH_CASE = 'netprobe control';

/** A connect is short: the target listens or it does not. */
const VOUCH_TIMEOUT_MS = 2000;

/**
 * `ip:port/tcp` keys that deny probes need shown alive and that nothing in the plan shows alive yet, each
 * with one deny probe to it (also what --verify-targets checks, src/plan/verify.ts).
 */
export function keysToShowAlive(plan: Plan): Map<string, PlannedProbe> {
  const denies = new Set(plan.cases.filter((c) => c.expectation.expect === 'deny').map((c) => c.id));
  const out = new Map<string, PlannedProbe>();
  for (const p of plan.probes) {
    const t = p.target;
    // A mesh proxy completes any handshake: a control connection through it proves nothing.
    if (!denies.has(p.caseId) || t.mesh !== undefined || (t.route !== 'pod' && t.route !== 'service')) continue;
    if (t.kind !== 'tcp' && t.kind !== 'http') continue;
    for (const key of t.aliveKeys) if (plan.alive[key] === undefined && !out.has(key)) out.set(key, p);
  }
  return out;
}

/** Splits `ip:port/tcp` (IPv6 addresses hold colons: the port is after the last one). */
export function splitKey(key: string): { ip: string; port: number } | undefined {
  const m = /^(.*):(\d+)\/tcp$/.exec(key);
  return m ? { ip: m[1]!, port: Number(m[2]) } : undefined;
}

/**
 * The plan with one control probe per unproven target, from the first source of the run that the policies
 * let reach it. Sources behind a mesh proxy are skipped: their proxy completes any handshake.
 */
export function addVouchers(plan: Plan, mayReach: MayReach): Plan {
  const candidates = plan.sources.filter((s) => s.mesh === undefined);
  const probes: PlannedProbe[] = [];
  for (const [key, deny] of keysToShowAlive(plan)) {
    const at = splitKey(key);
    if (at === undefined) continue;
    const voucher = candidates.find((s) => s.key !== deny.sourceKey && mayReach(s, at.ip, at.port, 'tcp'));
    if (voucher === undefined) continue;
    probes.push({
      id: `${VOUCH_CASE}#${probes.length}`,
      caseId: VOUCH_CASE,
      sourceKey: voucher.key,
      target: { kind: 'tcp', host: at.ip, port: at.port, route: 'pod', display: `${at.ip}:${at.port}`, aliveKeys: [key] },
      timeoutMs: VOUCH_TIMEOUT_MS,
      attempts: 1,
      vouch: voucher.standsFor,
    });
  }
  return probes.length === 0 ? plan : { ...plan, probes: [...plan.probes, ...probes] };
}
