// A suite derived from the NetworkPolicies of one or more namespaces: for every pod identity there, every
// connection in and out of it on declared ports (to and from the pods of the namespaces its policies
// name, and "any pod" stand-ins there) is judged by the policy engine, and written as `allow` when the
// policies allow it and `deny` when they do not. A policy edit that widens a rule then shows as a leak.
// Pure: the command reads the policies and pods (files or a cluster).
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../cluster/labels.ts';
import { identityLabels } from '../plan/identity.ts';
import { parseIP } from '../model/cidr.ts';
import { AdminPolicyEngine, type AdminClusterState } from '../policy/admin.ts';
import { NAMESPACE_NAME_LABEL } from '../policy/evaluate.ts';
import { compileSelector, isEmptySelector } from '../model/selectors.ts';
import type { ClusterState, Endpoint } from '../policy/types.ts';
import type { L4Protocol, PodInfo } from '../model/cluster.ts';
import {
  EndpointNames,
  exactSelector,
  groupName,
  labelText,
  NothingToProbeError,
  renderSuite,
  STAND_IN_LABEL,
  STAND_IN_VALUE,
  SYSTEM_NAMESPACES,
  type DeclaredPort,
  type ExpectationYaml,
  type PeerYaml,
} from './common.ts';

export interface FromPoliciesOptions {
  /** The namespaces whose policies are read (one suite for all of them, each path once). */
  namespaces: readonly string[];
  /** More namespaces to judge against, besides those the policies name. */
  peerNamespaces?: readonly string[];
  timeoutSeconds?: number;
  name?: string;
  /** Where the policies came from, for the header (`the cluster`, file names). */
  origin: string;
}

export interface FromPoliciesSuite {
  yaml: string;
  notes: string[];
  counts: { allow: number; deny: number; expectations: number; policies: number };
}

export class FromPoliciesError extends Error {}

interface Group {
  namespace: string;
  labels: Record<string, string>;
  rep: PodInfo;
  ports: DeclaredPort[];
  /** A stand-in for any pod of its namespace (synthetic). */
  standIn?: boolean;
  /** The cluster DNS pods: judged with DNS queries only. */
  dns?: boolean;
}

function groups(pods: readonly PodInfo[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const p of [...pods].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))) {
    if (p.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE || p.hostNetwork === true) continue;
    const labels = identityLabels({ ...p.labels });
    const key = `${p.namespace}|${labelText(labels)}`;
    let g = byKey.get(key);
    if (!g) {
      g = { namespace: p.namespace, labels, rep: p, ports: [] };
      if (p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns') g.dns = true;
      byKey.set(key, g);
    }
    for (const cp of p.containerPorts) {
      const protocol = cp.protocol ?? 'TCP';
      if (!g.ports.some((q) => q.port === cp.port && q.protocol === protocol)) g.ports.push({ port: cp.port, protocol });
    }
  }
  for (const g of byKey.values()) g.ports.sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
  return [...byKey.values()];
}

/** The namespaces the policies of `namespaces` name (namespaceSelectors of their rules), besides those. */
export function namedNamespaces(state: ClusterState, namespaces: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of state.policies) {
    if (!namespaces.includes(p.metadata.namespace)) continue;
    const peers = [...(p.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(p.spec.egress ?? []).flatMap((r) => r.to ?? [])];
    for (const peer of peers) {
      if (peer.namespaceSelector === undefined) continue;
      const everything = isEmptySelector(peer.namespaceSelector);
      const match = compileSelector(peer.namespaceSelector);
      for (const ns of state.namespaces) {
        if (namespaces.includes(ns.name)) continue;
        // `namespaceSelector: {}` means every namespace; the control plane joins only when named.
        if (everything && SYSTEM_NAMESPACES.includes(ns.name)) continue;
        if (match({ ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name })) out.add(ns.name);
      }
    }
  }
  return [...out].sort();
}

/** Single addresses (a /32 or /128 ipBlock) with explicit ports that egress rules of `namespace` name. */
function egressAddresses(state: ClusterState, namespace: string): { ip: string; port: number; protocol: L4Protocol }[] {
  const out: { ip: string; port: number; protocol: L4Protocol }[] = [];
  for (const p of state.policies) {
    if (p.metadata.namespace !== namespace) continue;
    for (const rule of p.spec.egress ?? []) {
      for (const peer of rule.to ?? []) {
        const cidr = peer.ipBlock?.cidr;
        if (cidr === undefined) continue;
        const [addr, bits] = cidr.split('/');
        if (addr === undefined || parseIP(addr) === undefined || bits !== (addr.includes(':') ? '128' : '32')) continue;
        for (const port of rule.ports ?? []) {
          if (typeof port.port !== 'number' || port.endPort !== undefined) continue;
          const protocol = port.protocol ?? 'TCP';
          if (!out.some((o) => o.ip === addr && o.port === port.port && o.protocol === protocol)) out.push({ ip: addr, port: port.port, protocol });
        }
      }
    }
  }
  return out;
}

interface Scope {
  nss: string[];
  peerNs: string[];
  /** The NetworkPolicies of the namespaces asked for. */
  own: AdminClusterState['policies'];
}

/** The namespaces asked for and their peers; throws when the policies there give nothing to derive. */
function resolveScope(state: AdminClusterState, o: FromPoliciesOptions): Scope {
  const nss = [...new Set(o.namespaces)];
  if (nss.length === 0) throw new FromPoliciesError('no namespace given');
  const own = state.policies.filter((p) => nss.includes(p.metadata.namespace));
  for (const n of nss) {
    if (!own.some((p) => p.metadata.namespace === n)) throw new FromPoliciesError(`no NetworkPolicy in namespace ${n}: nothing to derive expectations from`);
  }
  const known = new Set(state.namespaces.map((n) => n.name));
  for (const n of o.peerNamespaces ?? []) if (!known.has(n)) throw new FromPoliciesError(`namespace ${n} is not known (no Namespace, pod or policy names it)`);
  const peerNs = [...new Set([...namedNamespaces(state, nss), ...(o.peerNamespaces ?? [])])].filter((n) => !nss.includes(n)).sort();
  return { nss, peerNs, own };
}

interface Identities {
  all: Group[];
  /** The identities of the namespaces asked for. */
  subjects: Group[];
  peers: Group[];
  /** One per namespace: any pod no policy selects. */
  standIns: Group[];
}

function identitiesInScope(state: AdminClusterState, { nss, peerNs }: Scope): Identities {
  const all = groups(state.pods.filter((p) => nss.includes(p.namespace) || peerNs.includes(p.namespace)));
  const subjects = all.filter((g) => nss.includes(g.namespace));
  for (const n of nss) {
    if (!subjects.some((g) => g.namespace === n)) throw new NothingToProbeError(`no pod or workload in namespace ${n}: the policies select nothing to probe`);
  }
  const peers = all.filter((g) => !nss.includes(g.namespace) && (g.namespace !== 'kube-system' || g.dns === true));
  const standIns: Group[] = [...nss, ...peerNs.filter((n) => !SYSTEM_NAMESPACES.includes(n))].map((n) => ({
    namespace: n,
    labels: { [STAND_IN_LABEL]: STAND_IN_VALUE },
    rep: { namespace: n, name: 'netprobe-stand-in', labels: { [STAND_IN_LABEL]: STAND_IN_VALUE }, ips: [], containerPorts: [] },
    ports: [],
    standIn: true,
  }));
  return { all, subjects, peers, standIns };
}

/** One expectation to be: (from, to, protocol, expect) with its ports in the order found and the deciding policies. */
interface Bucket {
  from: Group;
  to: Group | { ip: string };
  protocol: L4Protocol | 'DNS';
  expect: 'allow' | 'deny';
  ports: number[];
  policies: Set<string>;
  tag: string;
}

/** Judges every path from and to the subjects with the policy engine, grouped into buckets. */
function judgePaths(state: AdminClusterState, ids: Identities, notes: string[]): Map<string, Bucket> {
  // AdminNetworkPolicies and the baseline, when the state has them, decide before NetworkPolicies do.
  const engine = new AdminPolicyEngine(state);
  const buckets = new Map<string, Bucket>();
  const seen = new Set<string>();
  const judge = (from: Group, to: Group | { ip: string }, port: number, protocol: L4Protocol, tag: string): void => {
    const dest: Endpoint = 'rep' in to ? to.rep : { ip: to.ip };
    const toKey = 'rep' in to ? `${to.namespace}|${labelText(to.labels)}` : to.ip;
    const key = `${from.namespace}|${labelText(from.labels)}>${toKey}:${port}/${protocol}`;
    if (seen.has(key) || ('rep' in to && to === from)) return;
    seen.add(key);
    const v = engine.evaluate({ source: from.rep, destination: dest, port, protocol });
    if (v.error !== undefined) {
      notes.push(`${key}: ${v.error}`);
      return;
    }
    const dns = 'rep' in to && to.dns === true;
    if (dns && (port !== 53 || protocol !== 'UDP')) return;
    if (dns && !v.allowed) {
      notes.push(`${groupName(from)}: DNS is denied by the policies; a denied query cannot be proven (nothing shows the DNS pod alive to it), so it is left out`);
      return;
    }
    const expect = v.allowed ? 'allow' : 'deny';
    const bucketKey = `${from.namespace}|${labelText(from.labels)}>${toKey}/${dns ? 'DNS' : protocol}/${expect}`;
    const b = buckets.get(bucketKey) ?? { from, to, protocol: dns ? 'DNS' : protocol, expect, ports: [], policies: new Set<string>(), tag };
    if (!b.ports.includes(port)) b.ports.push(port);
    for (const p of v.policies) b.policies.add(p);
    buckets.set(bucketKey, b);
  };
  for (const s of ids.subjects) {
    // Ingress: every peer, stand-in and other identity of the namespace, to the subject's declared ports.
    for (const from of [...ids.peers.filter((p) => !p.dns), ...ids.subjects, ...ids.standIns]) {
      for (const port of s.ports) judge(from, s, port.port, port.protocol, 'ingress');
    }
    // Egress: the subject to every peer and other identity of the namespace on their declared ports.
    for (const to of [...ids.peers, ...ids.subjects]) {
      for (const port of to.ports) judge(s, to, port.port, port.protocol, 'egress');
    }
    for (const a of egressAddresses(state, s.namespace)) judge(s, { ip: a.ip }, a.port, a.protocol, 'egress');
  }
  return buckets;
}

/** Names endpoints as expectations use them, each declared once with a comment. */
class EndpointTable {
  readonly endpoints: Record<string, PeerYaml> = {};
  readonly comments: Record<string, string> = {};
  private readonly names = new EndpointNames();
  private readonly nameOf = new Map<Group, string>();
  private readonly all: Group[];

  constructor(all: Group[]) {
    this.all = all;
  }

  name(g: Group): string {
    let name = this.nameOf.get(g);
    if (name !== undefined) return name;
    name = this.names.take(g.standIn ? `${g.namespace}.any-pod` : groupName(g));
    this.nameOf.set(g, name);
    if (g.standIn) {
      this.endpoints[name] = { namespace: g.namespace, podSelector: { matchLabels: { ...g.labels } }, synthetic: true };
      this.comments[name] = `a stand-in for any pod of ${g.namespace}: a label no policy selects`;
    } else {
      this.endpoints[name] = { namespace: g.namespace, podSelector: exactSelector(g, this.all) };
      this.comments[name] = `${labelText(g.labels)}; ports ${g.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none declared'}`;
    }
    return name;
  }
}

function expectationOf(b: Bucket, table: EndpointTable): ExpectationYaml {
  const from = table.name(b.from);
  const toName = 'rep' in b.to ? table.name(b.to) : b.to.ip;
  const policies = [...b.policies].sort();
  const e: ExpectationYaml = {
    comment: [`${b.expect === 'allow' ? 'allowed by' : 'denied: isolated by'} ${policies.join(', ') || '(no policy selects either side)'}`],
    name: `${b.expect} ${from} -> ${toName} ${b.protocol}`,
    tags: ['from-policies', b.tag],
    from,
    expect: b.expect,
  };
  e.to = 'rep' in b.to ? toName : { host: b.to.ip };
  if (b.protocol === 'DNS') e.protocol = 'DNS';
  else {
    e.ports = b.ports.sort((x, y) => x - y);
    e.protocol = b.protocol;
  }
  if (b.expect === 'allow') e.attempts = 2;
  return e;
}

export function suiteFromPolicies(state: AdminClusterState, o: FromPoliciesOptions): FromPoliciesSuite {
  const scope = resolveScope(state, o);
  const { nss, peerNs, own } = scope;
  const ids = identitiesInScope(state, scope);
  const notes: string[] = [];
  const table = new EndpointTable(ids.all);
  const expectations = [...judgePaths(state, ids, notes).values()].map((b) => expectationOf(b, table));
  const counts = { allow: expectations.filter((e) => e.expect === 'allow').length, deny: expectations.filter((e) => e.expect === 'deny').length };
  const ns = nss.join(', ');
  if (expectations.length === 0) {
    // A suite without expectations does not load: say why there is none instead of printing one.
    throw new NothingToProbeError(`no pod of ${[...nss, ...peerNs].join(', ')} declares a container port (and no egress rule names an address and port): no expectation to derive`);
  }
  const yaml = renderSuite({
    name: o.name ?? `policies-${nss.join('-')}`.slice(0, 63).replace(/-+$/, ''),
    description: `What the NetworkPolicies of ${ns} allow and deny, in and out, on declared ports.`,
    header: [
      `Written by netprobe generate from-policies from ${o.origin}: ${own.length} NetworkPolic${own.length === 1 ? 'y' : 'ies'} of ${ns}`,
      `(${own.map((p) => p.metadata.name).join(', ')}), judged by netprobe's policy engine.`,
      `Peers: the pods of ${[...nss, ...peerNs].join(', ')} and a stand-in for any pod of each; ports: those the pods declare.`,
      'allow: the policies let it through; deny: they do not. Run it with netprobe run THIS-FILE.',
    ],
    defaults: { timeoutSeconds: o.timeoutSeconds ?? 2, attempts: 1 },
    endpoints: table.endpoints,
    endpointComments: table.comments,
    expectations,
  });
  return { yaml, notes, counts: { ...counts, expectations: expectations.length, policies: own.length } };
}
