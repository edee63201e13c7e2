// Waves: the run's probe pods and echo servers, split into groups that the cluster can hold at once.
// The budget is the least of: free pod slots on the nodes netprobe's pods may go to, what each
// namespace's ResourceQuotas have left (pods, cpu, memory) for pods of netprobe's size, and --max-pods.
// A source goes into a wave together with the echo servers it probes (a server is started again in each
// wave that needs it), so every wave is a small run of its own. Pure: plain data in, waves out.
import type { NodeRoom, QuotaRoom } from '../model/capacity.ts';
import { parseQuantity } from '../util/quantity.ts';
import type { Plan } from './types.ts';

export type { NodeRoom, QuotaRoom } from '../model/capacity.ts';

/** Where netprobe's pods may go (--node-selector, --toleration). */
export interface Placement {
  nodeSelector: Record<string, string>;
  tolerations: { key?: string; operator?: string; value?: string; effect?: string }[];
}

/** What one of netprobe's pods asks for (src/probe/podspec.ts): requests and limits, cpu and memory. */
export interface PodSize {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface PodBudget {
  /** Most of netprobe's pods at once across the cluster; undefined: no limit known. */
  total?: number;
  /** Most of netprobe's pods at once per namespace (its quotas); a namespace not listed has no quota. */
  perNamespace: Record<string, number>;
  /** What each limit is and where it comes from: for --dry-run and the run's notes. */
  why: string[];
  /** What could not be read (the budget goes on without it), said as is. */
  unread: string[];
}

function tolerates(p: Placement, taint: NodeRoom['taints'][number]): boolean {
  return p.tolerations.some((t) => {
    if (t.effect !== undefined && t.effect !== taint.effect) return false;
    if ((t.operator ?? 'Equal') === 'Exists') return t.key === undefined || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** Whether the scheduler could put one of netprobe's pods on this node at all (capacity aside). */
export function nodeTakes(node: NodeRoom, p: Placement): boolean {
  if (node.unschedulable || !node.ready) return false;
  if (!Object.entries(p.nodeSelector).every(([k, v]) => node.labels[k] === v)) return false;
  return node.taints.every((t) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || tolerates(p, t));
}

/** Free pod slots on the nodes netprobe's pods may go to. */
export function nodeSlots(nodes: readonly NodeRoom[], p: Placement): { slots: number; why: string } {
  const usable = nodes.filter((n) => nodeTakes(n, p));
  const slots = usable.reduce((sum, n) => sum + Math.max(0, n.allocatablePods - n.podsOn), 0);
  // A few nodes by name: a line for people, not a listing of a large cluster.
  const named = usable.slice(0, 3).map((n) => `${n.name} ${Math.max(0, n.allocatablePods - n.podsOn)} of ${n.allocatablePods}`);
  const detail = [...named, ...(usable.length > 3 ? [`${usable.length - 3} more`] : [])].join(', ');
  return { slots, why: `${slots} free pod slots on ${usable.length} of ${nodes.length} nodes that take netprobe's pods${detail ? ` (${detail})` : ''}` };
}

/** The quota keys that count pods, and what one of netprobe's pods costs of each. */
function costs(size: PodSize): Record<string, string> {
  return {
    pods: '1',
    'count/pods': '1',
    cpu: size.requests.cpu,
    'requests.cpu': size.requests.cpu,
    memory: size.requests.memory,
    'requests.memory': size.requests.memory,
    'limits.cpu': size.limits.cpu,
    'limits.memory': size.limits.memory,
  };
}

/** How many more of netprobe's pods one quota admits, and the resource that limits it; undefined: it limits no pod. */
export function quotaSlots(q: QuotaRoom, size: PodSize): { slots: number; why: string } | undefined {
  let best: { slots: number; why: string } | undefined;
  for (const [key, cost] of Object.entries(costs(size))) {
    const hard = q.hard[key] === undefined ? undefined : parseQuantity(q.hard[key]);
    const each = parseQuantity(cost);
    if (hard === undefined || each === undefined || each <= 0) continue;
    const used = parseQuantity(q.used[key] ?? '0') ?? 0;
    // A rounding guard: 0.3 / 0.01 is 29.999... in floating point.
    const slots = Math.max(0, Math.floor((hard - used) / each + 1e-9));
    if (best === undefined || slots < best.slots) best = { slots, why: `ResourceQuota ${q.namespace}/${q.name}: ${key} ${q.used[key] ?? '0'} of ${q.hard[key]} used, room for ${slots}` };
  }
  return best;
}

export interface BudgetInputs {
  /** Undefined: the nodes could not be read. */
  nodes?: readonly NodeRoom[];
  quotas: readonly QuotaRoom[];
  maxPods?: number;
  placement: Placement;
  size: PodSize;
  /** What could not be read, said as is. */
  unread?: string[];
}

export function podBudget(inputs: BudgetInputs): PodBudget {
  const why: string[] = [];
  const unread = [...(inputs.unread ?? [])];
  let total: number | undefined;
  if (inputs.nodes !== undefined) {
    const n = nodeSlots(inputs.nodes, inputs.placement);
    total = n.slots;
    why.push(n.why);
  }
  if (inputs.maxPods !== undefined) {
    total = total === undefined ? inputs.maxPods : Math.min(total, inputs.maxPods);
    why.push(`--max-pods ${inputs.maxPods}`);
  }
  const perNamespace: Record<string, number> = {};
  for (const q of inputs.quotas) {
    const room = quotaSlots(q, inputs.size);
    if (room === undefined) continue;
    perNamespace[q.namespace] = Math.min(perNamespace[q.namespace] ?? Infinity, room.slots);
    why.push(room.why);
  }
  return total === undefined ? { perNamespace, why, unread } : { total, perNamespace, why, unread };
}

/** Sources (inPod ones too: they take no pod) and the echo servers they probe, started and deleted together. */
export interface Wave {
  sources: string[];
  servers: string[];
}

interface Unit {
  key: string;
  /** Where its probe pod goes; undefined: it probes from inside a running pod (no pod of netprobe's). */
  namespace?: string;
  servers: string[];
}

interface Packing {
  wave: Wave;
  pods: Map<string, number>;
  total: number;
}

/** Each source with the servers it probes, those that share servers next to each other. */
function unitsOf(plan: Pick<Plan, 'sources' | 'probes'>): Unit[] {
  const serversOf = new Map<string, Set<string>>();
  for (const p of plan.probes) {
    if (p.target.serverKey === undefined) continue;
    const set = serversOf.get(p.sourceKey) ?? new Set<string>();
    set.add(p.target.serverKey);
    serversOf.set(p.sourceKey, set);
  }
  const units = plan.sources.map((s): Unit => ({ key: s.key, ...(s.inPod ? {} : { namespace: s.namespace }), servers: [...(serversOf.get(s.key) ?? [])].sort() }));
  const signature = (u: Unit) => u.servers.join('\n');
  return units.map((u, i) => ({ u, i })).sort((a, b) => signature(a.u).localeCompare(signature(b.u)) || a.i - b.i).map((x) => x.u);
}

/** The pods a unit adds to a wave, by namespace (servers the wave has already cost nothing). */
function added(p: Packing, u: Unit, serverNs: ReadonlyMap<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  const bump = (ns: string) => out.set(ns, (out.get(ns) ?? 0) + 1);
  if (u.namespace !== undefined) bump(u.namespace);
  for (const s of u.servers) if (!p.wave.servers.includes(s)) bump(serverNs.get(s)!);
  return out;
}

function fits(p: Packing, more: ReadonlyMap<string, number>, budget: PodBudget): boolean {
  const extra = [...more.values()].reduce((a, b) => a + b, 0);
  if (budget.total !== undefined && p.total + extra > Math.max(1, budget.total)) return false;
  return [...more].every(([ns, n]) => budget.perNamespace[ns] === undefined || (p.pods.get(ns) ?? 0) + n <= Math.max(1, budget.perNamespace[ns]!));
}

/**
 * Sources in waves that fit the budget, first fit in plan order (sources that probe the same echo servers
 * side by side, so a wave starts each server once). A source that does not fit even alone gets a wave of
 * its own: the cluster then says why its pods cannot start, at once (src/cluster/start-failure.ts).
 */
export function planWaves(plan: Pick<Plan, 'sources' | 'servers' | 'probes'>, budget: PodBudget): Wave[] {
  const serverNs = new Map(plan.servers.map((s) => [s.key, s.namespace]));
  const packs: Packing[] = [];
  for (const u of unitsOf(plan)) {
    let pack = packs.find((p) => fits(p, added(p, u, serverNs), budget));
    if (pack === undefined) {
      pack = { wave: { sources: [], servers: [] }, pods: new Map(), total: 0 };
      packs.push(pack);
    }
    for (const [ns, n] of added(pack, u, serverNs)) {
      pack.pods.set(ns, (pack.pods.get(ns) ?? 0) + n);
      pack.total += n;
    }
    pack.wave.sources.push(u.key);
    for (const s of u.servers) if (!pack.wave.servers.includes(s)) pack.wave.servers.push(s);
  }
  // An echo server no probe uses (none are planned so) still runs once, as it did before waves.
  const used = new Set(packs.flatMap((p) => p.wave.servers));
  const idle = plan.servers.filter((s) => !used.has(s.key)).map((s) => s.key);
  if (idle.length > 0) (packs[0] ?? packs[packs.push({ wave: { sources: [], servers: [] }, pods: new Map(), total: 0 }) - 1]!).wave.servers.push(...idle);
  return packs.map((p) => p.wave);
}

/** The part of a plan one wave carries out: its sources, their probes and canaries, the servers they probe. */
export function wavePlan(plan: Plan, wave: Wave, first: boolean): Plan {
  const sources = new Set(wave.sources);
  const servers = new Set(wave.servers);
  const out: Plan = {
    ...plan,
    sources: plan.sources.filter((s) => sources.has(s.key)),
    servers: plan.servers.filter((s) => servers.has(s.key)),
    probes: plan.probes.filter((p) => sources.has(p.sourceKey)),
    // Control probes from netprobe's own machine need no pod: once, with the first wave.
    controlHosts: first ? plan.controlHosts : [],
  };
  // Nor do --verify-targets' reads of target pods (and a pod takes one such container per run): once too.
  if (!first) delete out.targetChecks;
  if (plan.canaries !== undefined) out.canaries = Object.fromEntries(Object.entries(plan.canaries).filter(([k]) => sources.has(k)));
  return out;
}
