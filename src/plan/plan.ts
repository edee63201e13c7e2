// Cases + cluster snapshot -> plan. Pure: the same inputs give the same plan, so it can be printed
// with --dry-run and tested without a cluster.
import type { ClusterSnapshot } from '../model/cluster.ts';
import type { Case } from '../suite/model.ts';
import { clusterAddresses, whyNotOutside } from './cluster-addresses.ts';
import { resolveSource, type SourceResolution } from './sources.ts';
import { indexSnapshot } from './snapshot-index.ts';
import { resolveTargets } from './targets.ts';
import type { Plan, PlanOptions, ServerSpec, SourceIdentity } from './types.ts';

/**
 * 100,000 probes: with 128 probes in flight per pod and 16 execs at once, 2 s x 2 attempts each, about
 * 3.5 minutes of probing when every path is denied; a real suite has hundreds.
 */
export const DEFAULT_MAX_PROBES = 100_000;

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { synthesizeMissing: false, ephemeral: false, verifyTargets: false, maxRangePorts: 256, maxProbes: DEFAULT_MAX_PROBES };

export function buildPlan(cases: readonly Case[], snapshot: ClusterSnapshot, options: Partial<PlanOptions> = {}): Plan {
  const opts = { ...DEFAULT_PLAN_OPTIONS, ...options };
  const idx = indexSnapshot(snapshot);
  const insideCluster = clusterAddresses(snapshot);
  const plan: Plan = { cases: [...cases], sources: [], servers: [], probes: [], unprobeable: [], alive: {}, controlHosts: [], insideCluster };
  const sources = new Map<string, SourceIdentity>();
  const servers = new Map<string, ServerSpec>();
  const sourceCache = new Map<string, SourceResolution>();
  const controlSeen = new Set<string>();

  for (const c of cases) {
    const cacheKey = JSON.stringify(c.from.peer);
    let source = sourceCache.get(cacheKey);
    if (!source) {
      source = resolveSource(c.from, idx, opts.synthesizeMissing, opts.ephemeral);
      sourceCache.set(cacheKey, source);
    }
    if ('reason' in source) {
      plan.unprobeable.push({ caseId: c.id, reason: `source: ${source.reason}`, decideBy: source.decideBy });
      continue;
    }
    for (const u of source.uncovered ?? []) plan.unprobeable.push({ caseId: c.id, reason: `source: ${u.reason}`, decideBy: u.decideBy });
    const dest = resolveTargets(c, idx, opts);
    for (const u of dest.reasons) plan.unprobeable.push({ caseId: c.id, reason: `destination: ${u.reason}`, decideBy: u.decideBy });
    Object.assign(plan.alive, dest.alive);
    for (const s of dest.servers) mergeServer(servers, s);
    for (const h of dest.controlHosts) {
      // netprobe's machine sees its own loopback, and may route into the cluster where no policy applies.
      if (!controlSeen.has(h.aliveKey) && whyNotOutside(h.host, insideCluster) === undefined) {
        controlSeen.add(h.aliveKey);
        plan.controlHosts.push(h);
      }
    }
    if (dest.targets.length === 0) continue;
    // Counted before any is built: one case can ask for every pod x every port of a range.
    const caseProbes = source.identities.length * dest.targets.length;
    if (plan.probes.length + caseProbes > opts.maxProbes) {
      plan.overLimit = { caseId: c.id, pos: c.expectation.pos, probes: plan.probes.length + caseProbes, caseProbes };
      break;
    }
    let n = 0;
    for (const identity of source.identities) {
      sources.set(identity.key, identity);
      for (const target of dest.targets) {
        plan.probes.push({
          id: `${c.id}#${n++}`,
          caseId: c.id,
          sourceKey: identity.key,
          target,
          timeoutMs: Math.round(c.expectation.timeoutSeconds * 1000),
          attempts: c.expectation.attempts,
        });
      }
    }
  }
  plan.sources = [...sources.values()];
  plan.servers = [...servers.values()];
  return plan;
}

function mergeServer(servers: Map<string, ServerSpec>, s: ServerSpec): void {
  const existing = servers.get(s.key);
  if (!existing) {
    servers.set(s.key, { ...s, ports: [...s.ports] });
    return;
  }
  for (const p of s.ports) {
    if (!existing.ports.some((q) => q.port === p.port && q.protocol === p.protocol && q.tls === p.tls)) existing.ports.push(p);
  }
}
