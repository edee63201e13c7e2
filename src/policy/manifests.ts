// Kubernetes manifests (YAML or JSON text, many documents, List kinds) turned into the engine's input:
// NetworkPolicies, Namespaces, Pods, Services, and one representative pod per workload template
// (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) carrying the template's labels and
// container ports. Pure: text in, objects out; file reading lives in load-files.ts.

import { parseAllDocuments } from 'yaml';
import type {
  AdminAction,
  AdminNetworkPolicy,
  AdminPeer,
  AdminPodsSelector,
  AdminPort,
  AdminRule,
  AdminSubject,
  BaselineAdminNetworkPolicy,
} from './admin.ts';
import type { ClusterState, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PolicyType } from './types.ts';
import type { ContainerPort, L4Protocol, NamespaceInfo, PodInfo, ServiceInfo, ServicePortInfo } from '../model/cluster.ts';
import type { IPBlock } from '../model/cidr.ts';
import type { LabelSelector, LabelSelectorRequirement } from '../model/selectors.ts';

export interface ManifestSet extends ClusterState {
  services: ServiceInfo[];
  adminPolicies: AdminNetworkPolicy[];
  baselinePolicies: BaselineAdminNetworkPolicy[];
  /** Objects of kinds the engine does not use, as `Kind namespace/name (source)`. */
  skipped: string[];
  /** Documents or fields that could not be read, with where they came from. */
  problems: string[];
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const;

type Obj = Record<string, unknown>;

function obj(x: unknown): Obj | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Obj) : undefined;
}

function arr(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
}

function num(x: unknown): number | undefined {
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  if (typeof x === 'string' && /^\d+$/.test(x)) return Number(x);
  return undefined;
}

function strMap(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(x) ?? {})) {
    const s = str(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

function protocol(x: unknown): L4Protocol {
  const p = str(x)?.toUpperCase();
  return p === 'UDP' || p === 'SCTP' ? p : 'TCP';
}

function selector(x: unknown): LabelSelector | undefined {
  // A null selector (`namespaceSelector:` with nothing after it) is an absent one, not an empty one.
  const o = obj(x);
  if (o === undefined) return undefined;
  const out: LabelSelector = {};
  if (o['matchLabels'] !== undefined) out.matchLabels = strMap(o['matchLabels']);
  const exprs = arr(o['matchExpressions']).map(obj).filter((e): e is Obj => e !== undefined);
  if (exprs.length > 0) {
    out.matchExpressions = exprs.map((e): LabelSelectorRequirement => {
      const operator = str(e['operator']);
      const req: LabelSelectorRequirement = {
        key: str(e['key']) ?? '',
        operator: operator === 'In' || operator === 'NotIn' || operator === 'DoesNotExist' ? operator : 'Exists',
      };
      if (e['values'] !== undefined) req.values = arr(e['values']).map(str).filter((v): v is string => v !== undefined);
      return req;
    });
  }
  return out;
}

function peer(x: unknown): NetworkPolicyPeer {
  const o = obj(x) ?? {};
  const out: NetworkPolicyPeer = {};
  const ps = selector(o['podSelector']);
  const ns = selector(o['namespaceSelector']);
  if (ps !== undefined) out.podSelector = ps;
  if (ns !== undefined) out.namespaceSelector = ns;
  const ib = obj(o['ipBlock']);
  if (ib !== undefined) {
    const block: IPBlock = { cidr: str(ib['cidr']) ?? '' };
    if (ib['except'] !== undefined) block.except = arr(ib['except']).map(str).filter((v): v is string => v !== undefined);
    out.ipBlock = block;
  }
  return out;
}

function policyPort(x: unknown): NetworkPolicyPort {
  const o = obj(x) ?? {};
  const out: NetworkPolicyPort = {};
  if (o['protocol'] !== undefined) out.protocol = protocol(o['protocol']);
  const p = o['port'];
  if (typeof p === 'number') out.port = p;
  else if (typeof p === 'string') out.port = /^\d+$/.test(p) ? Number(p) : p;
  const end = num(o['endPort']);
  if (end !== undefined) out.endPort = end;
  return out;
}

function rules<T>(x: unknown, peersKey: 'from' | 'to', make: (peers: NetworkPolicyPeer[] | undefined, ports: NetworkPolicyPort[] | undefined) => T): T[] {
  return arr(x).map((r) => {
    const o = obj(r) ?? {};
    const peers = o[peersKey] === undefined || o[peersKey] === null ? undefined : arr(o[peersKey]).map(peer);
    const ports = o['ports'] === undefined || o['ports'] === null ? undefined : arr(o['ports']).map(policyPort);
    return make(peers, ports);
  });
}

function networkPolicy(meta: { name: string; namespace: string }, specIn: unknown): NetworkPolicy {
  const spec = obj(specIn) ?? {};
  const out: NetworkPolicy = { metadata: meta, spec: { podSelector: selector(spec['podSelector']) ?? {} } };
  if (spec['policyTypes'] !== undefined) {
    out.spec.policyTypes = arr(spec['policyTypes'])
      .map(str)
      .filter((t): t is PolicyType => t === 'Ingress' || t === 'Egress');
  }
  if (spec['ingress'] !== undefined && spec['ingress'] !== null) {
    out.spec.ingress = rules(spec['ingress'], 'from', (peers, ports) => ({
      ...(peers ? { from: peers } : {}),
      ...(ports ? { ports } : {}),
    }));
  }
  if (spec['egress'] !== undefined && spec['egress'] !== null) {
    out.spec.egress = rules(spec['egress'], 'to', (peers, ports) => ({
      ...(peers ? { to: peers } : {}),
      ...(ports ? { ports } : {}),
    }));
  }
  return out;
}

function containerPorts(podSpec: Obj): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of [...arr(podSpec['containers']), ...arr(podSpec['initContainers'])]) {
    for (const p of arr(obj(c)?.['ports'])) {
      const o = obj(p);
      const port = num(o?.['containerPort']);
      if (o === undefined || port === undefined) continue;
      const cp: ContainerPort = { port, protocol: protocol(o['protocol']) };
      const name = str(o['name']);
      if (name !== undefined) cp.name = name;
      out.push(cp);
    }
  }
  return out;
}

function podFrom(meta: Obj, podSpecIn: unknown, status: unknown, namespace: string, name: string): PodInfo {
  const podSpec = obj(podSpecIn) ?? {};
  const st = obj(status) ?? {};
  const ips = arr(st['podIPs']).map((x) => str(obj(x)?.['ip'])).filter((v): v is string => v !== undefined);
  const single = str(st['podIP']);
  if (single !== undefined && !ips.includes(single)) ips.unshift(single);
  const pod: PodInfo = { namespace, name, labels: strMap(meta['labels']), ips, containerPorts: containerPorts(podSpec) };
  if (podSpec['hostNetwork'] === true) pod.hostNetwork = true;
  const sa = str(podSpec['serviceAccountName']) ?? str(podSpec['serviceAccount']);
  if (sa !== undefined) pod.serviceAccount = sa;
  return pod;
}

function templateOf(kind: string, spec: Obj): Obj | undefined {
  if (kind === 'CronJob') return obj(obj(obj(spec['jobTemplate'])?.['spec'])?.['template']);
  return obj(spec['template']);
}

function service(namespace: string, name: string, specIn: unknown): ServiceInfo {
  const spec = obj(specIn) ?? {};
  const svc: ServiceInfo = {
    namespace,
    name,
    ports: arr(spec['ports']).flatMap((p) => {
      const o = obj(p);
      const port = num(o?.['port']);
      if (o === undefined || port === undefined) return [];
      const target = o['targetPort'];
      const sp: ServicePortInfo = {
        port,
        targetPort: typeof target === 'number' || typeof target === 'string' ? (num(target) ?? target) : port,
        protocol: protocol(o['protocol']),
      };
      const pname = str(o['name']);
      if (pname !== undefined) sp.name = pname;
      return [sp];
    }),
    clusterIPs: [
      ...new Set(
        [str(spec['clusterIP']), ...arr(spec['clusterIPs']).map(str)].filter(
          (v): v is string => v !== undefined && v !== 'None' && v !== '',
        ),
      ),
    ],
  };
  if (spec['selector'] !== undefined && spec['selector'] !== null) svc.selector = strMap(spec['selector']);
  return svc;
}

function adminPods(x: unknown): AdminPodsSelector | undefined {
  const o = obj(x);
  return o === undefined
    ? undefined
    : { namespaceSelector: selector(o['namespaceSelector']) ?? {}, podSelector: selector(o['podSelector']) ?? {} };
}

function adminSubject(x: unknown): AdminSubject {
  const o = obj(x) ?? {};
  const out: AdminSubject = {};
  const ns = selector(o['namespaces']);
  const pods = adminPods(o['pods']);
  if (ns !== undefined) out.namespaces = ns;
  if (pods !== undefined) out.pods = pods;
  return out;
}

function adminPeer(x: unknown): AdminPeer {
  const o = obj(x) ?? {};
  const out: AdminPeer = adminSubject(o);
  if (o['networks'] !== undefined) out.networks = arr(o['networks']).map(str).filter((v): v is string => v !== undefined);
  const nodes = selector(o['nodes']);
  if (nodes !== undefined) out.nodes = nodes;
  return out;
}

function adminPort(x: unknown): AdminPort {
  const o = obj(x) ?? {};
  const pn = obj(o['portNumber']);
  const pr = obj(o['portRange']);
  if (pn !== undefined) return { portNumber: { protocol: protocol(pn['protocol']), port: num(pn['port']) ?? -1 } };
  if (pr !== undefined) {
    return { portRange: { protocol: protocol(pr['protocol']), start: num(pr['start']) ?? -1, end: num(pr['end']) ?? -1 } };
  }
  const named = str(o['namedPort']);
  return named === undefined ? {} : { namedPort: named };
}

function adminRules(x: unknown, peersKey: 'from' | 'to'): AdminRule[] {
  return arr(x).map((r) => {
    const o = obj(r) ?? {};
    const action = str(o['action']);
    const rule: AdminRule = { action: (action === 'Allow' || action === 'Pass' ? action : 'Deny') as AdminAction };
    const name = str(o['name']);
    if (name !== undefined) rule.name = name;
    rule[peersKey] = arr(o[peersKey]).map(adminPeer);
    if (o['ports'] !== undefined && o['ports'] !== null) rule.ports = arr(o['ports']).map(adminPort);
    return rule;
  });
}

function adminBody(spec: Obj): { subject: AdminSubject; ingress?: AdminRule[]; egress?: AdminRule[] } {
  const body: { subject: AdminSubject; ingress?: AdminRule[]; egress?: AdminRule[] } = { subject: adminSubject(spec['subject']) };
  if (spec['ingress'] !== undefined) body.ingress = adminRules(spec['ingress'], 'from');
  if (spec['egress'] !== undefined) body.egress = adminRules(spec['egress'], 'to');
  return body;
}

export function emptyManifestSet(): ManifestSet {
  return { policies: [], namespaces: [], pods: [], services: [], adminPolicies: [], baselinePolicies: [], skipped: [], problems: [] };
}

function addObject(set: ManifestSet, x: unknown, where: string, defaultNamespace: string): void {
  const o = obj(x);
  if (o === undefined) {
    if (x !== null && x !== undefined) set.problems.push(`${where}: not a Kubernetes object`);
    return;
  }
  const kind = str(o['kind']) ?? '';
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(o['items']))) {
    arr(o['items']).forEach((item, i) => addObject(set, item, `${where} items[${i}]`, defaultNamespace));
    return;
  }
  const meta = obj(o['metadata']) ?? {};
  const name = str(meta['name']);
  if (name === undefined) {
    set.problems.push(`${where}: ${kind || 'object'} without metadata.name`);
    return;
  }
  const namespace = str(meta['namespace']) ?? defaultNamespace;
  const spec = obj(o['spec']) ?? {};
  switch (kind) {
    case 'NetworkPolicy':
      set.policies.push(networkPolicy({ name, namespace }, spec));
      return;
    case 'Namespace':
      set.namespaces.push({ name, labels: strMap(meta['labels']) });
      return;
    case 'Pod':
      set.pods.push(podFrom(meta, spec, o['status'], namespace, name));
      return;
    case 'Service':
      set.services.push(service(namespace, name, spec));
      return;
    case 'AdminNetworkPolicy':
      set.adminPolicies.push({
        metadata: { name },
        spec: { priority: num(spec['priority']) ?? 0, ...adminBody(spec) },
      });
      return;
    case 'BaselineAdminNetworkPolicy':
      set.baselinePolicies.push({ metadata: { name }, spec: adminBody(spec) as BaselineAdminNetworkPolicy['spec'] });
      return;
  }
  if ((WORKLOAD_KINDS as readonly string[]).includes(kind)) {
    const template = templateOf(kind, spec);
    if (template === undefined) {
      set.problems.push(`${where}: ${kind} ${namespace}/${name} has no pod template`);
      return;
    }
    const pod = podFrom(obj(template['metadata']) ?? {}, template['spec'], undefined, namespace, name);
    pod.workload = { kind, name };
    set.pods.push(pod);
    return;
  }
  set.skipped.push(`${kind || 'object'} ${namespace}/${name} (${where})`);
}

/**
 * Parses one file's text (any number of YAML documents; JSON is YAML too). `source` names the file in
 * messages; objects without a namespace go to `defaultNamespace`.
 */
export function parseManifests(text: string, source = '<input>', defaultNamespace = 'default'): ManifestSet {
  const set = emptyManifestSet();
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${source} document ${i + 1}`;
    if (!('errors' in doc)) return;
    if (doc.errors.length > 0) {
      set.problems.push(`${where}: ${doc.errors[0]!.message.split('\n')[0]}`);
      return;
    }
    addObject(set, doc.toJS(), where, defaultNamespace);
  });
  return set;
}

/**
 * Joins several sets. Representative workload pods whose name collides with another pod of the same
 * namespace get a `-<kind>` suffix; namespaces named twice keep the first definition.
 */
export function mergeManifests(sets: readonly ManifestSet[]): ManifestSet {
  const out = emptyManifestSet();
  for (const s of sets) {
    out.policies.push(...s.policies);
    out.services.push(...s.services);
    out.adminPolicies.push(...s.adminPolicies);
    out.baselinePolicies.push(...s.baselinePolicies);
    out.skipped.push(...s.skipped);
    out.problems.push(...s.problems);
    for (const ns of s.namespaces) {
      if (!out.namespaces.some((n) => n.name === ns.name)) out.namespaces.push(ns);
    }
    out.pods.push(...s.pods);
  }
  const seen = new Set<string>();
  out.pods = out.pods.map((p) => {
    let key = `${p.namespace}/${p.name}`;
    if (!seen.has(key)) {
      seen.add(key);
      return p;
    }
    const renamed = { ...p, name: `${p.name}-${(p.workload?.kind ?? 'pod').toLowerCase()}` };
    key = `${renamed.namespace}/${renamed.name}`;
    seen.add(key);
    return renamed;
  });
  // Namespaces that only appear on objects still exist for the engine (it adds their name label).
  const named = new Set(out.namespaces.map((n) => n.name));
  const implied: NamespaceInfo[] = [];
  for (const ns of [...out.policies.map((p) => p.metadata.namespace), ...out.pods.map((p) => p.namespace)]) {
    if (!named.has(ns)) {
      named.add(ns);
      implied.push({ name: ns, labels: {} });
    }
  }
  out.namespaces.push(...implied);
  return out;
}

/** Objects already parsed (the API's JSON form, each with `kind`), as one ManifestSet. `source` names them in messages. */
export function manifestsFromObjects(objects: readonly unknown[], source: string, defaultNamespace = 'default'): ManifestSet {
  const set = emptyManifestSet();
  objects.forEach((o, i) => addObject(set, o, `${source} [${i}]`, defaultNamespace));
  return mergeManifests([set]);
}
