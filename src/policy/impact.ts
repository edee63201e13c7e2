// What a policy change does to reachability: the same state judged with the policies before and after,
// over every pair of workloads (one representative pod each), the cluster DNS, the API server's Service
// address, and each part of the outside CIDRs any policy names. Pure: two states in, changed paths out.
//
// Only pairs a changed policy can touch are judged: a NetworkPolicy decides egress for the pods it selects
// and ingress for the pods it selects, so a pair whose source no changed policy selects for egress and
// whose destination none selects for ingress keeps its answer. An admin policy change judges every pair.
import { parseIP, splitCIDR } from '../model/cidr.ts';
import type { L4Protocol, PodInfo, ServiceInfo } from '../model/cluster.ts';
import { AdminPolicyEngine, type AdminClusterState } from './admin.ts';
import type { Verdict } from './evaluate.ts';
import { ASSUMED_CLUSTER_DNS } from './peers.ts';
import { cidrBoundaries } from './predict.ts';
import { isPod, type Endpoint, type NetworkPolicyPort } from './types.ts';

export type EndpointKind = 'workload' | 'dns' | 'api-server' | 'cidr';

export interface ImpactEndpoint {
  key: string;
  kind: EndpointKind;
  /** `namespace/workload` or what an address stands for. */
  label: string;
  endpoint: Endpoint;
}

export interface ImpactPort {
  port: number;
  protocol: L4Protocol;
}

export type ImpactChange = 'newly-denied' | 'newly-allowed';

export interface ImpactPath {
  change: ImpactChange;
  from: ImpactEndpoint;
  to: ImpactEndpoint;
  ports: ImpactPort[];
  /** The changed policies that make the difference. */
  policies: string[];
  /** Why it is denied (after a newly-denied change, before a newly-allowed one). */
  reason: string;
}

export interface ImpactResult {
  paths: ImpactPath[];
  /** How much was judged, for the report and the benchmark. */
  counts: { endpoints: number; pairs: number; connections: number };
}

/** A state: pods, namespaces and policies, and the Services when known (the API server's address). */
export type ImpactState = AdminClusterState & { services?: readonly ServiceInfo[] };

/** One representative pod per workload (pods made from manifests are one each already). */
function workloads(pods: readonly PodInfo[]): ImpactEndpoint[] {
  const seen = new Map<string, ImpactEndpoint>();
  for (const pod of pods) {
    const name = pod.workload?.name ?? pod.name;
    const key = `${pod.namespace}/${name}`;
    if (seen.has(key)) continue;
    const dns = pod.namespace === 'kube-system' && pod.labels['k8s-app'] === 'kube-dns';
    seen.set(key, { key, kind: dns ? 'dns' : 'workload', label: dns ? `cluster DNS (${key})` : key, endpoint: pod });
  }
  return [...seen.values()];
}

/** Every endpoint of the analysis: workloads, cluster DNS (assumed when absent), the API server, CIDR parts. */
export function impactEndpoints(state: ImpactState, engines: readonly AdminPolicyEngine[]): ImpactEndpoint[] {
  const out = workloads(state.pods);
  if (!out.some((e) => e.kind === 'dns')) {
    out.push({ key: 'kube-system/kube-dns', kind: 'dns', label: 'cluster DNS (kube-system k8s-app=kube-dns; assumed)', endpoint: ASSUMED_CLUSTER_DNS.pod });
  }
  const api = state.services?.find((s) => s.namespace === 'default' && s.name === 'kubernetes')?.clusterIPs[0];
  if (api !== undefined) out.push({ key: `api-server`, kind: 'api-server', label: `API server (Service default/kubernetes ${api})`, endpoint: { ip: api, label: 'API server' } });
  const cuts = [...new Set(engines.flatMap((e) => cidrBoundaries(e)))];
  const seen = new Set<string>();
  for (const cidr of cuts) {
    for (const piece of splitCIDR(cidr, cuts) ?? []) {
      if (seen.has(piece.first)) continue;
      seen.add(piece.first);
      const label = piece.cidrs.join(' + ');
      out.push({ key: `cidr:${label}`, kind: 'cidr', label, endpoint: { ip: piece.first, label } });
    }
  }
  return out;
}

function portKey(p: ImpactPort): string {
  return `${p.port}/${p.protocol}`;
}

/** The numeric ports (and range ends) of some policies' rules, in both engines. */
function rulePorts(engines: readonly AdminPolicyEngine[], keys: ReadonlySet<string> | undefined): ImpactPort[] {
  const out: ImpactPort[] = [];
  for (const e of engines) {
    for (const cp of e.policies) {
      if (keys !== undefined && !keys.has(cp.key)) continue;
      for (const rule of [...cp.ingress, ...cp.egress]) {
        for (const p of rule.ports ?? []) {
          if (typeof p.port !== 'number') continue;
          const protocol = p.protocol ?? 'TCP';
          out.push({ port: p.port, protocol });
          if (p.endPort !== undefined) out.push({ port: p.endPort, protocol });
        }
      }
    }
    if (keys === undefined) out.push(...e.portBoundaries().map((port) => ({ port, protocol: 'TCP' as const })));
  }
  return out;
}

/** What is known of an endpoint once: whether a change touches each direction, and the ports its policies name. */
interface Prepared extends ImpactEndpoint {
  egressTouched: boolean;
  ingressTouched: boolean;
  /** Numeric ports of the rules of the policies selecting it for egress (both states). */
  egressPorts: ImpactPort[];
  /** The numeric ports of the rules of the policies selecting it for ingress (both states). */
  ingressPorts: ImpactPort[];
  /** The ports its containers declare (each once). */
  declaredPorts: ImpactPort[];
  /** An outside address: the numeric ports of the rules whose ipBlock holds it. */
  addressPorts: ImpactPort[];
}

function numericPorts(policies: readonly { ingress: { ports: NetworkPolicyPort[] | undefined }[]; egress: { ports: NetworkPolicyPort[] | undefined }[] }[], dir: 'ingress' | 'egress'): ImpactPort[] {
  return policies.flatMap((cp) => cp[dir].flatMap((r) => (r.ports ?? []).flatMap((p) => (typeof p.port === 'number' ? [{ port: p.port, protocol: p.protocol ?? 'TCP' }] : []))));
}

/** The numeric ports of the rules whose ipBlock holds this address: the ports the policies name for it. */
function addressPorts(ip: string, engines: readonly AdminPolicyEngine[]): ImpactPort[] {
  const parsed = parseIP(ip);
  if (parsed === undefined) return [];
  const subject = { ips: [parsed] };
  return engines.flatMap((eng) =>
    eng.policies.flatMap((cp) =>
      [...cp.ingress, ...cp.egress]
        .filter((r) => (r.peers ?? []).some((peer) => peer.peer.ipBlock !== undefined && peer.matches(subject)))
        .flatMap((r) => (r.ports ?? []).flatMap((p) => (typeof p.port === 'number' ? [{ port: p.port, protocol: p.protocol ?? 'TCP' }] : []))),
    ),
  );
}

function prepare(e: ImpactEndpoint, engines: readonly AdminPolicyEngine[], changed: ReadonlySet<string>, everyPair: boolean): Prepared {
  const pod = isPod(e.endpoint) ? e.endpoint : undefined;
  const sel = pod === undefined ? [] : engines.map((eng) => eng.networkPolicies.selecting(pod));
  return {
    ...e,
    addressPorts: e.kind === 'cidr' && !isPod(e.endpoint) ? addressPorts(e.endpoint.ip, engines) : [],
    egressTouched: everyPair || sel.some((s) => s.egressKeys.some((k) => changed.has(k))),
    ingressTouched: everyPair || sel.some((s) => s.ingressKeys.some((k) => changed.has(k))),
    egressPorts: sel.flatMap((s) => numericPorts(s.egress, 'egress')),
    ingressPorts: sel.flatMap((s) => numericPorts(s.ingress, 'ingress')),
    declaredPorts: [...new Map((pod?.containerPorts ?? []).map((c): [string, ImpactPort] => [`${c.port}/${c.protocol ?? 'TCP'}`, { port: c.port, protocol: c.protocol ?? 'TCP' }])).values()],
  };
}

/**
 * The ports to judge a pair at. A pod that declares ports is judged at those (nothing else listens: a
 * path to another port cannot be shown); the API server at 443; an outside address at the ports the
 * policies name for it (443 when they name none); a pod that declares none at the numeric ports of the
 * changed policies and of the policies that decide the pair, else one representative port.
 */
function pairPorts(src: Prepared, dst: Prepared, changedPorts: readonly ImpactPort[]): ImpactPort[] {
  if (isPod(dst.endpoint) && dst.endpoint.containerPorts.length > 0) return dst.declaredPorts;
  if (dst.kind === 'api-server') return [{ port: 443, protocol: 'TCP' }];
  if (dst.kind === 'cidr') return dst.addressPorts.length > 0 ? [...new Map(dst.addressPorts.map((p) => [portKey(p), p])).values()] : [{ port: 443, protocol: 'TCP' }];
  const out = new Map<string, ImpactPort>();
  for (const list of [changedPorts, src.egressPorts, dst.ingressPorts]) for (const p of list) out.set(portKey(p), p);
  if (out.size === 0) return [{ port: isPod(dst.endpoint) ? 80 : 443, protocol: 'TCP' }];
  return [...out.values()];
}

function denyingReason(v: Verdict): string {
  return !v.egress.allowed ? v.egress.reason : v.ingress.reason;
}

/**
 * The changed policies that make the difference. Newly denied: a changed policy that allowed it before,
 * or one that now isolates the denying side. Newly allowed: a changed policy whose rule allows it now,
 * else one that isolated the denying side before.
 */
function deciders(changed: ReadonlySet<string>, before: Verdict, after: Verdict): string[] {
  const denyingSide = (v: Verdict): readonly string[] => (!v.egress.allowed ? v.egress : v.ingress).isolatedBy;
  const decided = (v: Verdict): string[] => [v.egress.decidedBy?.policy, v.ingress.decidedBy?.policy].filter((k): k is string => k !== undefined);
  const pick = (keys: readonly string[]): string[] => [...new Set(keys.filter((k) => changed.has(k)))];
  if (!after.allowed) return pick([...before.policies, ...denyingSide(after), ...decided(after)]);
  const allowing = pick([...after.policies, ...decided(after)]);
  return allowing.length > 0 ? allowing : pick([...denyingSide(before), ...decided(before)]);
}

interface Judging {
  before: AdminPolicyEngine;
  after: AdminPolicyEngine;
  changed: ReadonlySet<string>;
  changedPorts: ImpactPort[];
  /** An admin policy changed: every direction of every pair may change, judge in full. */
  everyPair: boolean;
  found: Map<string, ImpactPath>;
  connections: number;
}

/** Another pod with the labels of `pod`: traffic between two pods of one workload is not self traffic. */
function anotherPod(pod: PodInfo): PodInfo {
  return { ...pod, name: `${pod.name} (another pod)`, ips: [] };
}

/**
 * Whether the answer can differ: a direction no changed policy selects its pod for keeps its answer, so
 * only the touched directions are compared (cheaply, without reasons). With an admin change, always.
 */
function mayDiffer(j: Judging, src: Prepared, dst: Prepared, destination: Endpoint, p: ImpactPort): boolean {
  if (j.everyPair) return true;
  const dstPod = isPod(destination) ? destination : undefined;
  const differs = (dir: 'egress' | 'ingress', local: Endpoint, remote: Endpoint): boolean =>
    j.before.networkPolicies.allows(dir, local, remote, p.port, p.protocol, dstPod) !== j.after.networkPolicies.allows(dir, local, remote, p.port, p.protocol, dstPod);
  return (src.egressTouched && differs('egress', src.endpoint, destination)) || (dst.ingressTouched && differs('ingress', destination, src.endpoint));
}

function record(j: Judging, src: Prepared, dst: Prepared, p: ImpactPort, b: Verdict, a: Verdict): void {
  const change: ImpactChange = a.allowed ? 'newly-allowed' : 'newly-denied';
  const key = `${change}|${src.key}|${dst.key}`;
  let path = j.found.get(key);
  if (path === undefined) {
    path = { change, from: strip(src), to: strip(dst), ports: [], policies: [], reason: denyingReason(a.allowed ? b : a) };
    j.found.set(key, path);
  }
  path.ports.push(p);
  for (const k of deciders(j.changed, b, a)) if (!path.policies.includes(k)) path.policies.push(k);
}

function strip(e: Prepared): ImpactEndpoint {
  return { key: e.key, kind: e.kind, label: e.label, endpoint: e.endpoint };
}

function judgePair(j: Judging, src: Prepared, dst: Prepared): void {
  const destination = src === dst && isPod(dst.endpoint) ? anotherPod(dst.endpoint) : dst.endpoint;
  for (const p of pairPorts(src, dst, j.changedPorts)) {
    j.connections++;
    if (!mayDiffer(j, src, dst, destination, p)) continue;
    const conn = { source: src.endpoint, destination, port: p.port, protocol: p.protocol };
    const b = j.before.evaluate(conn);
    const a = j.after.evaluate(conn);
    if (b.error === undefined && a.error === undefined && b.allowed !== a.allowed) record(j, src, dst, p, b, a);
  }
}

export interface ImpactInput {
  before: ImpactState;
  after: ImpactState;
  /** Keys of the policies that differ: `namespace/name`, `anp/name`, `banp/name`. */
  changed: readonly string[];
  /** Only the workloads of these namespaces (the cluster DNS, the API server and CIDRs stay). Absent: all. */
  namespaces?: readonly string[];
}

/**
 * With --namespaces: workloads of other namespaces are left out, and the cluster DNS pods (in kube-system)
 * are judged as a destination only, so that no path starts in a namespace outside the scope.
 */
function inScope(e: ImpactEndpoint, namespaces: readonly string[] | undefined, as: 'source' | 'destination'): boolean {
  if (namespaces === undefined || !isPod(e.endpoint)) return true;
  if (e.kind === 'dns' && as === 'destination') return true;
  return namespaces.includes(e.endpoint.namespace);
}

/** The paths whose answer differs between the two states: newly denied first, then by source and destination. */
export function computeImpact(input: ImpactInput): ImpactResult {
  const before = new AdminPolicyEngine(input.before);
  const after = new AdminPolicyEngine(input.after);
  const changed = new Set(input.changed);
  const everyPair = input.changed.some((k) => k.startsWith('anp/') || k.startsWith('banp/'));
  const endpoints = impactEndpoints(input.before, [before, after]).filter((e) => inScope(e, input.namespaces, 'destination')).map((e) => prepare(e, [before, after], changed, everyPair));
  const j: Judging = { before, after, changed, changedPorts: rulePorts([before, after], changed), everyPair, found: new Map(), connections: 0 };
  let pairs = 0;
  for (const src of endpoints) {
    if (src.endpoint === ASSUMED_CLUSTER_DNS.pod || !inScope(src, input.namespaces, 'source')) continue;
    for (const dst of endpoints) {
      if ((!isPod(src.endpoint) && !isPod(dst.endpoint)) || (!src.egressTouched && !dst.ingressTouched)) continue;
      pairs++;
      judgePair(j, src, dst);
    }
  }
  const order = (p: ImpactPath): string => `${p.change === 'newly-denied' ? 0 : 1}|${p.from.label}|${p.to.label}`;
  const paths = [...j.found.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  for (const p of paths) p.ports.sort((x, y) => x.port - y.port || x.protocol.localeCompare(y.protocol));
  return { paths, counts: { endpoints: endpoints.length, pairs, connections: j.connections } };
}
