// The NetworkPolicy evaluator. For one connection it judges the source's egress and the destination's
// ingress separately; the connection is allowed only when both allow it.
//
// Per direction: a pod is isolated only when at least one policy in its namespace selects it AND names
// that direction (after policyTypes defaulting). A pod that is not isolated allows everything in that
// direction. An isolated pod allows a connection when any rule of any selecting policy matches it
// (policies are additive; there is no deny rule). A rule matches when one of its peers matches (an absent
// or empty peer list matches every peer) and one of its ports matches (absent or empty: every port).
//
// Implementation-defined corners, and the choice made here:
// - hostNetwork pods (option `hostNetwork`, default 'node'): NetworkPolicy leaves them undefined; the most
//   common implementation ignores them when selecting and matching pods and treats their traffic as the
//   node's. So a hostNetwork pod is never isolated, never matched by podSelector/namespaceSelector, and
//   is matched by ipBlock through its IPs (its node's). 'pod' treats it as an ordinary pod.
// - A pod connecting to itself (option `selfTraffic`, default 'allow'): traffic to one's own IP stays in
//   the pod's network namespace (loopback) and never reaches the network plugin, so it is allowed
//   whatever the policies say; the upstream e2e suite ignores this case too. 'evaluate' applies the rules.
// - ipBlock matches pod IPs as well as external ones (the common behaviour; the spec advises ipBlock for
//   cluster-external addresses). A pod with several IPs matches when any of them is inside.
// - A bare IP endpoint that belongs to a known pod is judged as that pod.

import { parseIP, type ParsedIP } from '../model/cidr.ts';
import { compilePolicy, type CompiledPolicy, type CompiledRule, type PeerSubject } from './compile.ts';
import { formatSelector } from '../model/selectors.ts';
import { DEFAULT_PROTOCOL, formatPorts, matchPorts, resolveConnectionPort, type PortContext } from './ports.ts';
import { endpointLabel, isPod, podKey, type ClusterState, type Connection, type Endpoint, type PolicyType } from './types.ts';
import { type L4Protocol, type PodInfo } from '../model/cluster.ts';
import { type Labels } from '../model/selectors.ts';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface EngineOptions {
  hostNetwork?: 'node' | 'pod';
  selfTraffic?: 'allow' | 'evaluate';
}

export type Direction = 'ingress' | 'egress';

/** A rule that allowed the connection: `policy` is `namespace/name`, `rule` the index in its list. */
export interface RuleRef {
  policy: string;
  direction: Direction;
  rule: number;
}

export interface PeerTrace {
  text: string;
  matched: boolean;
}

export interface RuleTrace {
  index: number;
  /** Undefined: the rule lists no peers (matches every peer). */
  peers: PeerTrace[] | undefined;
  peerMatched: boolean;
  ports: string;
  portMatched: boolean;
  allows: boolean;
}

export interface PolicyTrace {
  policy: string;
  podSelector: string;
  selectsPod: boolean;
  types: PolicyType[];
  typesDefaulted: boolean;
  /** Selects the pod and names this direction: the policy isolates the pod for it. */
  isolates: boolean;
  rules: RuleTrace[];
  problems: string[];
}

export interface DirectionVerdict {
  direction: Direction;
  /** The pod whose side this is (`namespace/name`); undefined when that side is not a selectable pod. */
  pod?: string;
  isolated: boolean;
  allowed: boolean;
  /** Every rule that allows the connection (empty when not isolated or denied). */
  allowedBy: RuleRef[];
  /** The policies that select the pod for this direction (shared: do not modify). */
  isolatedBy: readonly string[];
  readonly reason: string;
  /** Only with `{ trace: true }`: every policy of the pod's namespace, and how each rule fared. */
  trace?: PolicyTrace[];
  /** Which tier decided, when admin policies are evaluated too (admin.ts); absent: NetworkPolicy. */
  tier?: 'admin' | 'networkpolicy' | 'baseline';
  /** With an admin or baseline tier: the rule that decided (Allow or Deny). */
  decidedBy?: RuleRef;
  /** Only with `{ trace: true }` on AdminPolicyEngine: the walk through the admin and baseline tiers. */
  adminTrace?: { admin: string[]; baseline: string[] };
}

export interface Verdict {
  allowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
  /**
   * The deciding policies: when allowed, those whose rules allowed it (empty if neither side is
   * isolated); when denied, the policies isolating each denying side.
   */
  policies: string[];
  port: number | undefined;
  protocol: L4Protocol;
  /** Set when the connection could not be judged exactly (e.g. a named port the destination lacks). */
  error?: string;
}

/** The policies selecting one pod, per direction, and their keys. */
export interface Selecting {
  ingress: CompiledPolicy[];
  egress: CompiledPolicy[];
  ingressKeys: string[];
  egressKeys: string[];
}

/** An endpoint as the engine sees it. */
export interface Side {
  /** The pod, when the engine knows one for this endpoint (after IP lookup). */
  pod?: PodInfo;
  /** Selectable: a pod that policies may select and selectors may match. */
  selectable: boolean;
  subject: PeerSubject;
  label: string;
}

export interface EvaluateOptions {
  trace?: boolean;
}

export class PolicyEngine {
  readonly options: Required<EngineOptions>;
  readonly policies: readonly CompiledPolicy[];
  #byNamespace = new Map<string, CompiledPolicy[]>();
  #namespaceLabels = new Map<string, Labels>();
  #podsByIP = new Map<string, PodInfo>();
  #selecting = new WeakMap<PodInfo, Selecting>();
  #ipCache = new Map<string, ParsedIP | undefined>();
  #subjects = new WeakMap<PodInfo, Side>();

  constructor(state: ClusterState, options: EngineOptions = {}) {
    this.options = { hostNetwork: options.hostNetwork ?? 'node', selfTraffic: options.selfTraffic ?? 'allow' };
    this.policies = state.policies.map(compilePolicy);
    for (const p of this.policies) {
      const list = this.#byNamespace.get(p.namespace);
      if (list === undefined) this.#byNamespace.set(p.namespace, [p]);
      else list.push(p);
    }
    for (const ns of state.namespaces) {
      this.#namespaceLabels.set(ns.name, { [NAMESPACE_NAME_LABEL]: ns.name, ...ns.labels });
    }
    for (const pod of state.pods) {
      for (const ip of pod.ips) {
        const parsed = parseIP(ip);
        if (parsed !== undefined && !this.#podsByIP.has(ipKey(parsed))) this.#podsByIP.set(ipKey(parsed), pod);
      }
    }
  }

  /** A namespace's labels, including the `kubernetes.io/metadata.name` label the API server adds. */
  namespaceLabels(name: string): Labels {
    let labels = this.#namespaceLabels.get(name);
    if (labels === undefined) {
      labels = { [NAMESPACE_NAME_LABEL]: name };
      this.#namespaceLabels.set(name, labels);
    }
    return labels;
  }

  /** The known pod that owns an address, if any. */
  podByIP(ip: string): PodInfo | undefined {
    const parsed = this.#parseIP(ip);
    return parsed === undefined ? undefined : this.#podsByIP.get(ipKey(parsed));
  }

  /** The policies in the pod's namespace that select it, per direction (cached per pod object). */
  selecting(pod: PodInfo): Selecting {
    let s = this.#selecting.get(pod);
    if (s === undefined) {
      s = { ingress: [], egress: [], ingressKeys: [], egressKeys: [] };
      if (this.#isSelectable(pod)) {
        for (const p of this.#byNamespace.get(pod.namespace) ?? []) {
          if (!p.selects(pod.labels)) continue;
          if (p.types.Ingress) s.ingress.push(p);
          if (p.types.Egress) s.egress.push(p);
        }
      }
      s.ingressKeys = s.ingress.map((p) => p.key);
      s.egressKeys = s.egress.map((p) => p.key);
      this.#selecting.set(pod, s);
    }
    return s;
  }

  #parseIP(ip: string): ParsedIP | undefined {
    if (this.#ipCache.has(ip)) return this.#ipCache.get(ip);
    const parsed = parseIP(ip);
    this.#ipCache.set(ip, parsed);
    return parsed;
  }

  #isSelectable(pod: PodInfo): boolean {
    return !(pod.hostNetwork === true && this.options.hostNetwork === 'node');
  }

  /** How the engine sees an endpoint: its pod (an IP of a known pod is that pod), selectability, addresses. */
  side(e: Endpoint): Side {
    const pod = isPod(e) ? e : this.podByIP(e.ip);
    if (pod === undefined) {
      const ip = this.#parseIP((e as { ip: string }).ip);
      return { selectable: false, subject: { ips: ip === undefined ? [] : [ip] }, label: endpointLabel(e) };
    }
    let side = this.#subjects.get(pod);
    if (side === undefined) {
      const selectable = this.#isSelectable(pod);
      const ips = pod.ips.map(parseIP).filter((x): x is ParsedIP => x !== undefined);
      const subject: PeerSubject = selectable
        ? { ips, pod: { namespace: pod.namespace, labels: pod.labels, namespaceLabels: this.namespaceLabels(pod.namespace) } }
        : { ips };
      side = { pod, selectable, subject, label: podKey(pod) };
      this.#subjects.set(pod, side);
    }
    return side;
  }

  evaluate(conn: Connection, options: EvaluateOptions = {}): Verdict {
    const protocol = conn.protocol ?? DEFAULT_PROTOCOL;
    const src = this.side(conn.source);
    const dst = this.side(conn.destination);
    const port = resolveConnectionPort(conn.port, protocol, dst.pod);
    let error: string | undefined;
    if (port === undefined) {
      const name = typeof conn.port === 'number' ? String(conn.port) : conn.port.name;
      error = `port ${JSON.stringify(name)}/${protocol} is not a named container port of ${dst.label}`;
    }
    const ctx: PortContext = { port: port ?? Number.NaN, protocol, destination: dst.pod };
    const self = src.pod !== undefined && src.pod === dst.pod && this.options.selfTraffic === 'allow';
    const trace = options.trace === true;
    const egress = self ? selfVerdict('egress', src) : this.#judge('egress', src, dst, ctx, trace);
    const ingress = self ? selfVerdict('ingress', dst) : this.#judge('ingress', dst, src, ctx, trace);
    const allowed = egress.allowed && ingress.allowed && error === undefined;
    const policies: string[] = [];
    for (const d of [egress, ingress]) {
      const keys = allowed ? d.allowedBy.map((r) => r.policy) : d.allowed ? [] : d.isolatedBy;
      for (const k of keys) if (!policies.includes(k)) policies.push(k);
    }
    const verdict: Verdict = { allowed, egress, ingress, policies, port, protocol };
    if (error !== undefined) verdict.error = error;
    return verdict;
  }

  /**
   * One direction's answer alone, without reasons or rule references: for callers that judge many
   * connections and need the full verdict only where the answer differs (impact.ts). `port` is a number;
   * named ports in rules resolve on `destination`.
   */
  allows(direction: Direction, local: Endpoint, remote: Endpoint, port: number, protocol: L4Protocol, destination: PodInfo | undefined): boolean {
    const l = this.side(local);
    if (!l.selectable || l.pod === undefined) return true;
    const sel = this.selecting(l.pod);
    const selecting = direction === 'ingress' ? sel.ingress : sel.egress;
    if (selecting.length === 0) return true;
    const subject = this.side(remote).subject;
    const ctx: PortContext = { port, protocol, destination };
    return selecting.some((p) => (direction === 'ingress' ? p.ingress : p.egress).some((r) => ruleMatches(r, subject, ctx)));
  }

  /** Judges one direction: `local` is the pod whose policies apply, `remote` the other side. */
  #judge(direction: Direction, local: Side, remote: Side, ctx: PortContext, trace: boolean): DirectionVerdict {
    const pod = local.selectable && local.pod ? local.label : undefined;
    const traces = trace && local.pod !== undefined ? this.#traceAll(direction, local.pod, remote, ctx) : undefined;
    if (!local.selectable || local.pod === undefined) {
      const why =
        local.pod === undefined
          ? () => `${local.label} is not a pod: NetworkPolicy does not apply to its ${direction}`
          : () => `${local.label} is a hostNetwork pod: policies do not select it (node traffic)`;
      return makeVerdict(direction, pod, false, true, [], [], why, traces);
    }
    const sel = this.selecting(local.pod);
    const selecting = direction === 'ingress' ? sel.ingress : sel.egress;
    if (selecting.length === 0) {
      const why = () => `no policy selects ${local.label} for ${direction}: not isolated, all ${direction} allowed`;
      return makeVerdict(direction, pod, false, true, [], [], why, traces);
    }
    const allowedBy: RuleRef[] = [];
    for (const p of selecting) {
      for (const r of direction === 'ingress' ? p.ingress : p.egress) {
        if (ruleMatches(r, remote.subject, ctx)) allowedBy.push({ policy: p.key, direction, rule: r.index });
      }
    }
    const isolatedBy = direction === 'ingress' ? sel.ingressKeys : sel.egressKeys;
    const allowed = allowedBy.length > 0;
    const why = allowed
      ? () => `allowed by ${allowedBy.map(formatRuleRef).join(', ')}`
      : () => `isolated for ${direction} by ${isolatedBy.join(', ')} and no rule allows ${remote.label} on ${formatCtx(ctx)}`;
    return makeVerdict(direction, pod, true, allowed, allowedBy, isolatedBy, why, traces);
  }

  #traceAll(direction: Direction, pod: PodInfo, remote: Side, ctx: PortContext): PolicyTrace[] {
    const selectable = this.#isSelectable(pod);
    return (this.#byNamespace.get(pod.namespace) ?? []).map((p) => {
      const selectsPod = selectable && p.selects(pod.labels);
      const dirType: PolicyType = direction === 'ingress' ? 'Ingress' : 'Egress';
      const isolates = selectsPod && p.types[dirType];
      const rules = (direction === 'ingress' ? p.ingress : p.egress).map((r) => traceRule(r, remote.subject, ctx));
      const types = (['Ingress', 'Egress'] as const).filter((t) => p.types[t]);
      return {
        policy: p.key,
        podSelector: formatSelector(p.policy.spec.podSelector ?? {}),
        selectsPod,
        types,
        typesDefaulted: p.typesDefaulted,
        isolates,
        rules: isolates ? rules : [],
        problems: p.problems,
      };
    });
  }
}

function ipKey(ip: ParsedIP): string {
  return `${ip.family}:${ip.value}`;
}

function selfVerdict(direction: Direction, side: Side): DirectionVerdict {
  const why = () => `${side.label} connecting to itself stays on its own loopback: NetworkPolicy does not apply`;
  return makeVerdict(direction, side.label, false, true, [], [], why, undefined);
}

/** A direction verdict whose `reason` is composed on first read (most callers never read it). */
class DirectionResult implements DirectionVerdict {
  direction: Direction;
  pod?: string;
  isolated: boolean;
  allowed: boolean;
  allowedBy: RuleRef[];
  isolatedBy: readonly string[];
  trace?: PolicyTrace[];
  #why: () => string;
  #reason: string | undefined;

  constructor(direction: Direction, isolated: boolean, allowed: boolean, allowedBy: RuleRef[], isolatedBy: readonly string[], why: () => string) {
    this.direction = direction;
    this.isolated = isolated;
    this.allowed = allowed;
    this.allowedBy = allowedBy;
    this.isolatedBy = isolatedBy;
    this.#why = why;
  }

  get reason(): string {
    this.#reason ??= this.#why();
    return this.#reason;
  }

  toJSON(): DirectionVerdict {
    return { ...this, reason: this.reason };
  }
}

function makeVerdict(
  direction: Direction,
  pod: string | undefined,
  isolated: boolean,
  allowed: boolean,
  allowedBy: RuleRef[],
  isolatedBy: readonly string[],
  why: () => string,
  trace: PolicyTrace[] | undefined,
): DirectionVerdict {
  const v = new DirectionResult(direction, isolated, allowed, allowedBy, isolatedBy, why);
  if (pod !== undefined) v.pod = pod;
  if (trace !== undefined) v.trace = trace;
  return v;
}

function ruleMatches(rule: CompiledRule, remote: PeerSubject, ctx: PortContext): boolean {
  if (matchPorts(rule.ports, ctx) < 0) return false;
  return rule.peers === undefined || rule.peers.some((p) => p.matches(remote));
}

function traceRule(rule: CompiledRule, remote: PeerSubject, ctx: PortContext): RuleTrace {
  const peers = rule.peers?.map((p) => ({ text: p.text, matched: p.matches(remote) }));
  const peerMatched = peers === undefined || peers.some((p) => p.matched);
  const portMatched = matchPorts(rule.ports, ctx) >= 0;
  return { index: rule.index, peers, peerMatched, ports: formatPorts(rule.ports), portMatched, allows: peerMatched && portMatched };
}

export function formatRuleRef(r: RuleRef): string {
  return `${r.policy} ${r.direction}[${r.rule}]`;
}

function formatCtx(ctx: PortContext): string {
  return `${Number.isNaN(ctx.port) ? '?' : ctx.port}/${ctx.protocol}`;
}

/** One-shot convenience: builds an engine for `state` and judges `conn`. Build a PolicyEngine for many. */
export function evaluateConnection(state: ClusterState, conn: Connection, options: EngineOptions = {}): Verdict {
  return new PolicyEngine(state, options).evaluate(conn);
}
