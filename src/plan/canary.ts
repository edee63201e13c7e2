// Rules shown programmed, not assumed (issue 11): a new probe pod's traffic is judged by rules the CNI
// must first program for its address. Two kinds of path change their answer when it does:
// - one the target's ingress policies allow for this source: refused until the source is known there;
// - one the source's own egress policies deny: let through until they are in place.
// Per probe pod, one probe of each kind (when it has such a path) is the canary: once the canaries answer
// as the policies say, the pod's rules are in place and its probes can run. A pod with no such path
// needs no wait at all: its answers are the same before and after. Pure.
import { parseIP } from '../model/cidr.ts';
import { whyNotOutside } from './cluster-addresses.ts';
import type { Canary, L4, Plan, PlannedProbe, SourceIdentity } from './types.ts';

/** What the policies say of one path, as far as programming matters. */
export interface PathPrediction {
  allowed: boolean;
  /** The target's ingress is isolated by a policy (so an allow needs the source known there). */
  ingressIsolated: boolean;
  /** The target's ingress denies it: denied whether or not the source's own rules are in place. */
  ingressDenied: boolean;
  /** The source's own egress denies it. */
  egressDenied: boolean;
  /** The address is a pod the policies' world knows (else its ingress policies are unknown). */
  knownPod: boolean;
}

/** undefined: the policies cannot say (a name, an address of no known pod...). */
export type PredictPath = (source: SourceIdentity, ip: string, port: number, l4: L4) => PathPrediction | undefined;

/** Where a probe's packets end up: a pod or host address, or through a Service each backend (`ip:port/l4` keys). */
function destinations(p: PlannedProbe): { ip: string; port: number }[] | undefined {
  const t = p.target;
  if (t.route === 'service') {
    const keys = t.aliveKeys.map((k) => /^(.*):(\d+)\/\w+$/.exec(k));
    return keys.every((m) => m !== null) ? keys.map((m) => ({ ip: m![1]!, port: Number(m![2]) })) : undefined;
  }
  return t.host === undefined || t.port === undefined ? undefined : [{ ip: t.host, port: t.port }];
}

/**
 * A probe pod's canaries, or undefined when the policies cannot say enough (it waits the fixed settle).
 * Fills in each probe's `predicted` on the way: the runner probes again, after the fixed settle, what
 * disagrees with it (a recycled address may still be in another pod's rules until the CNI catches up).
 */
function canariesOf(source: SourceIdentity, probes: PlannedProbe[], predict: PredictPath, inside: Plan['insideCluster']): Canary[] | undefined {
  let connect: Canary | undefined;
  let deny: Canary | undefined;
  let needConnect = false;
  let needDeny = false;
  for (const p of probes) {
    const t = p.target;
    // An echo server is a new pod too, and its address is unknown until it runs.
    if (t.route === 'server' || t.mesh !== undefined) return undefined;
    const l4: L4 = t.kind === 'udp' || t.kind === 'dns' ? 'udp' : t.kind === 'sctp' ? 'sctp' : 'tcp';
    const at = destinations(p);
    if (at === undefined) return undefined;
    const sides = new Set<boolean>();
    for (const d of at) {
      const v = predict(source, d.ip, d.port, l4);
      // A name, or a cluster address of no known pod: its ingress policies are unknown.
      if (parseIP(d.ip) === undefined || v === undefined || (!v.knownPod && whyNotOutside(d.ip, inside) !== undefined)) return undefined;
      sides.add(v.allowed);
      const connects = v.allowed && v.ingressIsolated;
      // Denied only by the source's egress: let through until its rules are in place.
      const egressOnly = v.egressDenied && !v.ingressDenied;
      needConnect ||= connects;
      needDeny ||= egressOnly;
      // A canary is a plain TCP connect to one address; a deny canary's target lets anyone in, so only
      // the source's own egress rules can deny it.
      const denyCanary = v.egressDenied && !v.ingressIsolated;
      if (l4 !== 'tcp' || t.route === 'service' || (!connects && !denyCanary)) continue;
      const probe: PlannedProbe = { ...p, id: `canary:${p.id}`, target: { kind: 'tcp', host: d.ip, port: d.port, route: t.route, display: t.display, aliveKeys: t.aliveKeys }, timeoutMs: 1000, attempts: 1 };
      if (connects) connect ??= { probe, expect: 'connect', shows: `${t.display}'s ingress rules know it` };
      else deny ??= { probe, expect: 'deny', shows: `its egress rules deny ${t.display}` };
    }
    if (sides.size === 1) p.predicted = sides.has(true) ? 'allowed' : 'denied';
  }
  if ((needConnect && connect === undefined) || (needDeny && deny === undefined)) return undefined;
  return [connect, deny].filter((c): c is Canary => c !== undefined);
}

/** The plan with canaries for each probe pod (not for ephemeral containers: a running pod's rules are in place). */
export function planCanaries(plan: Plan, predict: PredictPath): Plan {
  const probes = plan.probes.map((p) => ({ ...p }));
  const bySource = new Map<string, PlannedProbe[]>();
  for (const p of probes) bySource.set(p.sourceKey, [...(bySource.get(p.sourceKey) ?? []), p]);
  const canaries: Record<string, Canary[]> = {};
  for (const s of plan.sources) {
    if (s.inPod !== undefined) continue;
    const found = canariesOf(s, bySource.get(s.key) ?? [], predict, plan.insideCluster);
    if (found !== undefined) canaries[s.key] = found;
  }
  return { ...plan, probes, canaries };
}
