// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), layered over
// the NetworkPolicy engine. Per direction, three tiers in order:
// 1. AdminNetworkPolicies, by ascending priority (a lower number first; equal priorities, which the API
//    leaves implementation-defined, are taken in name order here), each policy's rules in written order:
//    the first rule that matches decides. Allow and Deny are final; Pass skips the rest of the admin tier.
// 2. NetworkPolicy: if any NetworkPolicy isolates the pod for the direction, its verdict is final.
// 3. The BaselineAdminNetworkPolicy: its rules in order, the first match decides (Allow or Deny);
//    nothing matching means allowed.
// Subjects and pod peers never match hostNetwork pods (node mode) or addresses that are not pods;
// `networks` (egress) matches any address, pods included. `nodes` peers need node labels, which the
// engine does not model: they match nothing.

import { compileIPBlock, type IPBlockMatcher } from '../model/cidr.ts';
import type { PeerSubject } from './compile.ts';
import {
  PolicyEngine,
  type Direction,
  type DirectionVerdict,
  type EngineOptions,
  type EvaluateOptions,
  type Side,
  type Verdict,
} from './evaluate.ts';
import { resolveNamedPort } from './ports.ts';
import { compileSelector, type LabelMatcher } from '../model/selectors.ts';
import type { ClusterState, Connection } from './types.ts';
import type { L4Protocol, PodInfo } from '../model/cluster.ts';
import type { LabelSelector } from '../model/selectors.ts';

export interface AdminPodsSelector {
  namespaceSelector: LabelSelector;
  podSelector: LabelSelector;
}

/** Exactly one of the fields. */
export interface AdminSubject {
  namespaces?: LabelSelector;
  pods?: AdminPodsSelector;
}

/** Exactly one of the fields; `networks` and `nodes` only in egress rules. */
export interface AdminPeer {
  namespaces?: LabelSelector;
  pods?: AdminPodsSelector;
  networks?: string[];
  nodes?: LabelSelector;
}

/** Exactly one of the fields. */
export interface AdminPort {
  portNumber?: { protocol?: L4Protocol; port: number };
  namedPort?: string;
  portRange?: { protocol?: L4Protocol; start: number; end: number };
}

export type AdminAction = 'Allow' | 'Deny' | 'Pass';

export interface AdminRule<A extends string = AdminAction> {
  name?: string;
  action: A;
  from?: AdminPeer[];
  to?: AdminPeer[];
  ports?: AdminPort[];
}

export interface AdminNetworkPolicy {
  metadata: { name: string };
  spec: { priority: number; subject: AdminSubject; ingress?: AdminRule[]; egress?: AdminRule[] };
}

export interface BaselineAdminNetworkPolicy {
  metadata: { name: string };
  spec: { subject: AdminSubject; ingress?: AdminRule<'Allow' | 'Deny'>[]; egress?: AdminRule<'Allow' | 'Deny'>[] };
}

export interface AdminClusterState extends ClusterState {
  adminPolicies?: AdminNetworkPolicy[];
  baselinePolicies?: BaselineAdminNetworkPolicy[];
}

type PodView = NonNullable<PeerSubject['pod']>;

interface CompiledAdminRule {
  policy: string;
  index: number;
  ref: string;
  action: AdminAction;
  peers: ((s: PeerSubject) => boolean)[];
  /** The `networks` CIDRs of its peers: where a CIDR destination's answer can change. */
  networks: string[];
  ports: AdminPort[] | undefined;
}

interface CompiledAdmin {
  key: string;
  /** `anp/name (priority N)` or `banp/name`. */
  label: string;
  subject: (p: PodView) => boolean;
  ingress: CompiledAdminRule[];
  egress: CompiledAdminRule[];
}

function podsMatcher(sel: AdminPodsSelector): (p: PodView) => boolean {
  const ns = compileSelector(sel.namespaceSelector);
  const pods = compileSelector(sel.podSelector);
  return (p) => ns(p.namespaceLabels) && pods(p.labels);
}

function subjectMatcher(subject: AdminSubject): (p: PodView) => boolean {
  if (subject.namespaces !== undefined) {
    const ns: LabelMatcher = compileSelector(subject.namespaces);
    return (p) => ns(p.namespaceLabels);
  }
  if (subject.pods !== undefined) return podsMatcher(subject.pods);
  return () => false;
}

function peerMatcher(peer: AdminPeer): (s: PeerSubject) => boolean {
  if (peer.namespaces !== undefined || peer.pods !== undefined) {
    const m = subjectMatcher(peer);
    return (s) => s.pod !== undefined && m(s.pod);
  }
  if (peer.networks !== undefined) {
    const blocks: IPBlockMatcher[] = peer.networks.map((cidr) => compileIPBlock({ cidr }));
    return (s) => s.ips.some((ip) => blocks.some((b) => b(ip)));
  }
  return () => false;
}

function compileRules(key: string, direction: Direction, rules: readonly AdminRule<string>[] | undefined): CompiledAdminRule[] {
  return (rules ?? []).map((r, i) => ({
    policy: key,
    index: i,
    ref: `${key} ${direction}[${i}]${r.name ? ` (${r.name})` : ''}`,
    action: r.action as AdminAction,
    peers: ((direction === 'ingress' ? r.from : r.to) ?? []).map(peerMatcher),
    networks: ((direction === 'ingress' ? r.from : r.to) ?? []).flatMap((peer) => peer.networks ?? []),
    ports: r.ports,
  }));
}

function compileAdmin(kind: 'anp' | 'banp', p: AdminNetworkPolicy | BaselineAdminNetworkPolicy): CompiledAdmin {
  const key = `${kind}/${p.metadata.name}`;
  return {
    key,
    label: 'priority' in p.spec ? `${key} (priority ${p.spec.priority})` : key,
    subject: subjectMatcher(p.spec.subject),
    ingress: compileRules(key, 'ingress', p.spec.ingress),
    egress: compileRules(key, 'egress', p.spec.egress),
  };
}

function adminPortMatches(port: AdminPort, n: number, protocol: L4Protocol, destination: PodInfo | undefined): boolean {
  if (port.portNumber !== undefined) return (port.portNumber.protocol ?? 'TCP') === protocol && port.portNumber.port === n;
  if (port.portRange !== undefined) {
    const r = port.portRange;
    return (r.protocol ?? 'TCP') === protocol && n >= r.start && n <= r.end;
  }
  if (port.namedPort !== undefined) {
    return destination !== undefined && resolveNamedPort(destination, port.namedPort, protocol) === n;
  }
  return false;
}

/** Evaluates connections through the admin tier, NetworkPolicy, then the baseline tier. */
export class AdminPolicyEngine {
  readonly networkPolicies: PolicyEngine;
  #admin: CompiledAdmin[];
  #baseline: CompiledAdmin[];

  constructor(state: AdminClusterState, options: EngineOptions = {}) {
    this.networkPolicies = new PolicyEngine(state, options);
    this.#admin = [...(state.adminPolicies ?? [])]
      .sort((a, b) => a.spec.priority - b.spec.priority || a.metadata.name.localeCompare(b.metadata.name))
      .map((p) => compileAdmin('anp', p));
    this.#baseline = (state.baselinePolicies ?? []).map((p) => compileAdmin('banp', p));
  }

  /** The NetworkPolicies, compiled (for port breakpoints and warnings). */
  get policies(): PolicyEngine['policies'] {
    return this.networkPolicies.policies;
  }

  /** Port numbers where an admin rule starts or ends matching (for judging port ranges exactly). */
  portBoundaries(): number[] {
    const out: number[] = [];
    for (const p of [...this.#admin, ...this.#baseline]) {
      for (const r of [...p.ingress, ...p.egress]) {
        for (const port of r.ports ?? []) {
          if (port.portNumber) out.push(port.portNumber.port);
          if (port.portRange) out.push(port.portRange.start, port.portRange.end);
        }
      }
    }
    return out;
  }

  /** The admin rules' `networks` CIDRs (for judging CIDR destinations piece by piece). */
  cidrBoundaries(): string[] {
    return [...this.#admin, ...this.#baseline].flatMap((p) => [...p.ingress, ...p.egress].flatMap((r) => r.networks));
  }

  evaluate(conn: Connection, options: EvaluateOptions = {}): Verdict {
    const np = this.networkPolicies.evaluate(conn, options);
    if (this.#admin.length === 0 && this.#baseline.length === 0) return np;
    const src = this.networkPolicies.side(conn.source);
    const dst = this.networkPolicies.side(conn.destination);
    const self = src.pod !== undefined && src.pod === dst.pod && this.networkPolicies.options.selfTraffic === 'allow';
    if (self || np.port === undefined) return np;
    const port = np.port;
    const trace = options.trace === true;
    const egress = this.#direction('egress', src, dst, port, np.protocol, dst.pod, np.egress, trace);
    const ingress = this.#direction('ingress', dst, src, port, np.protocol, dst.pod, np.ingress, trace);
    const allowed = egress.allowed && ingress.allowed;
    const policies: string[] = [];
    for (const d of [egress, ingress]) {
      let keys: readonly string[];
      if (d.tier === 'networkpolicy') keys = allowed ? d.allowedBy.map((r) => r.policy) : d.allowed ? [] : d.isolatedBy;
      else keys = allowed === d.allowed && d.decidedBy ? [d.decidedBy.policy] : [];
      for (const k of keys) if (!policies.includes(k)) policies.push(k);
    }
    return { allowed, egress, ingress, policies, port, protocol: np.protocol };
  }

  #direction(
    direction: Direction,
    local: Side,
    remote: Side,
    port: number,
    protocol: L4Protocol,
    destination: PodInfo | undefined,
    np: DirectionVerdict,
    trace: boolean,
  ): DirectionVerdict {
    const pod = local.subject.pod;
    const adminLines: string[] = [];
    const baselineLines: string[] = [];
    let lines: string[] | undefined = trace ? adminLines : undefined;
    const finish = (v: DirectionVerdict): DirectionVerdict =>
      trace ? { ...v, adminTrace: { admin: adminLines, baseline: baselineLines } } : v;
    const fromNetworkPolicy = (): DirectionVerdict => finish({ ...np, reason: np.reason, tier: 'networkpolicy' });
    if (!local.selectable || pod === undefined) return fromNetworkPolicy();
    const decide = (tier: 'admin' | 'baseline', rule: CompiledAdminRule, allowed: boolean): DirectionVerdict =>
      finish({
        ...(np.trace ? { trace: np.trace } : {}),
        direction,
        pod: local.label,
        isolated: true,
        allowed,
        allowedBy: allowed ? [{ policy: rule.policy, direction, rule: rule.index }] : [],
        isolatedBy: [],
        decidedBy: { policy: rule.policy, direction, rule: rule.index },
        reason: `${rule.action === 'Allow' ? 'allowed' : 'denied'} by ${rule.ref} (${tier === 'admin' ? 'AdminNetworkPolicy' : 'BaselineAdminNetworkPolicy'})`,
        tier,
      });
    const first = (tier: CompiledAdmin[]): CompiledAdminRule | undefined => {
      for (const p of tier) {
        if (!p.subject(pod)) {
          lines?.push(`  - ${p.label}: subject does not select the pod`);
          continue;
        }
        lines?.push(`  - ${p.label}: selects the pod`);
        for (const r of direction === 'ingress' ? p.ingress : p.egress) {
          const portOk = r.ports === undefined || r.ports.length === 0 || r.ports.some((x) => adminPortMatches(x, port, protocol, destination));
          const peerOk = r.peers.some((m) => m(remote.subject));
          lines?.push(`    ${peerOk && portOk ? '✓' : '✗'} ${r.ref.slice(p.key.length + 1)} ${r.action}: peer ${peerOk ? '✓' : '✗'}, port ${portOk ? '✓' : '✗'}`);
          if (portOk && peerOk) return r;
        }
      }
      return undefined;
    };
    lines?.push('admin tier (AdminNetworkPolicy, by priority; the first matching rule decides):');
    const admin = first(this.#admin);
    if (admin !== undefined && admin.action !== 'Pass') return decide('admin', admin, admin.action === 'Allow');
    lines?.push(admin ? '  Pass: NetworkPolicy decides next' : '  no rule matches: NetworkPolicy decides next');
    if (trace) lines = baselineLines;
    if (np.isolated) {
      lines?.push('baseline tier: not consulted, NetworkPolicy isolates the pod');
      return fromNetworkPolicy();
    }
    lines?.push('baseline tier (BaselineAdminNetworkPolicy, consulted because no NetworkPolicy isolates the pod):');
    const baseline = first(this.#baseline);
    if (baseline !== undefined) return decide('baseline', baseline, baseline.action === 'Allow');
    lines?.push('  no rule matches: allowed');
    return fromNetworkPolicy();
  }
}
