// What the incident generators share: which pods count, how pods group into identities with their
// declared ports, endpoint names a suite accepts, and the suite writer (YAML text with comments, so the
// file written with --write-suite is exactly what is run). Pure.
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import type { LivePod } from '../model/cluster.ts';
import { distinctIdentities, identityKey, identityLabels } from '../plan/identity.ts';
import { isServing } from '../plan/snapshot-index.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../cluster/labels.ts';
import type { Suite } from '../suite/model.ts';
import type { LabelSelector, LabelSelectorRequirement } from '../model/selectors.ts';
import { API_VERSION, KIND } from '../suite/definitions.ts';
import { formatDiagnostic, suitesFromDocuments } from '../suite/index.ts';
import { parseYaml } from '../suite/load.ts';

/**
 * The label a stand-in for "any pod of that namespace" carries. No policy selects on it, so such a pod is
 * let in only by rules that admit every pod of its namespace (a namespaceSelector alone, `podSelector: {}`):
 * exactly what a new pod an intruder starts there would get. Real pods never carry it, so the selector
 * always falls through to a netprobe stand-in.
 */
export const STAND_IN_LABEL = 'netprobe.dev/stand-in';
export const STAND_IN_VALUE = 'any-pod';

/** Namespaces of the control plane: netprobe starts no stand-in there unless asked by name. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

export type L4Name = 'TCP' | 'UDP' | 'SCTP';

export interface DeclaredPort {
  port: number;
  protocol: L4Name;
}

export interface LabelledGroup {
  namespace: string;
  labels: Record<string, string>;
}

/** Pods of one identity (namespace, labels, service account) and the ports any of them declares. */
export interface PodGroup {
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
  pods: LivePod[];
  ports: DeclaredPort[];
}

export function isNetprobePod(p: LivePod): boolean {
  return p.netprobeRole !== undefined || p.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

/** Serving pods of users (never netprobe's own), grouped by identity, in a stable order. */
/** `counts` says which pods make identities: serving ones on a live cluster, every declared one offline. */
export function podGroups(pods: readonly LivePod[], counts: (p: LivePod) => boolean = isServing): PodGroup[] {
  // hostNetwork pods send and receive as their node: no probe pod can stand for them.
  const serving = pods.filter((p) => !isNetprobePod(p) && !p.hostNetwork && counts(p));
  const byKey = new Map<string, PodGroup>();
  for (const rep of distinctIdentities(serving)) {
    byKey.set(identityKey(rep.namespace, rep.labels, rep.serviceAccount), {
      namespace: rep.namespace,
      labels: identityLabels(rep.labels),
      serviceAccount: rep.serviceAccount,
      pods: [],
      ports: [],
    });
  }
  for (const p of serving) {
    const g = byKey.get(identityKey(p.namespace, p.labels, p.serviceAccount))!;
    g.pods.push(p);
    for (const cp of p.containerPorts) {
      if (!g.ports.some((q) => q.port === cp.port && q.protocol === cp.protocol)) g.ports.push({ port: cp.port, protocol: cp.protocol });
    }
  }
  const groups = [...byKey.values()];
  for (const g of groups) g.ports.sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
  return groups.sort((a, b) => a.namespace.localeCompare(b.namespace) || labelText(a.labels).localeCompare(labelText(b.labels)));
}

/**
 * The cluster as it is gives nothing to probe (no pods, none serving, no declared port): not a bug and not
 * bad input. The commands say so and exit 3 (undecided).
 */
export class NothingToProbeError extends Error {}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Why the users' pods of these namespaces form no identity to probe from or to: none, or none serving. */
export function noServingPods(pods: readonly LivePod[], namespaces: readonly string[]): string {
  const where = namespaces.join(', ');
  const users = pods.filter((p) => namespaces.includes(p.namespace) && !isNetprobePod(p));
  if (users.length === 0) return `no pods in ${where}`;
  const states = new Map<string, number>();
  for (const p of users) {
    const state = p.hostNetwork && isServing(p) ? 'hostNetwork' : p.phase === 'Running' ? 'Running but not Ready' : p.phase;
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  const counts = [...states].map(([state, n]) => `${n} ${state}`).join(', ');
  return `no pod in ${where} is Running and Ready on the pod network (${plural(users.length, 'pod')}: ${counts})`;
}

export function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '(no labels)';
}

/**
 * A selector for exactly this group's pods among `all` groups of its namespace: its labels, and
 * `DoesNotExist` for a key of every other group whose labels include all of these (so a probe aimed at
 * this group never lands on a pod that does not declare the same ports).
 */
export function exactSelector(group: LabelledGroup, all: readonly LabelledGroup[]): LabelSelector {
  const selector: LabelSelector = { matchLabels: { ...group.labels } };
  const exprs: LabelSelectorRequirement[] = [];
  for (const other of all) {
    if (other === group || other.namespace !== group.namespace) continue;
    const superset = Object.entries(group.labels).every(([k, v]) => other.labels[k] === v);
    if (!superset) continue;
    const extra = Object.keys(other.labels).find((k) => !Object.hasOwn(group.labels, k));
    if (extra !== undefined && !exprs.some((e) => e.key === extra)) exprs.push({ key: extra, operator: 'DoesNotExist' });
  }
  if (exprs.length > 0) selector.matchExpressions = exprs;
  return selector;
}

/** Hands out endpoint names the language accepts (letters, digits, `-`, `_`, `.`; at most 63), unique. */
export class EndpointNames {
  #used = new Set<string>();
  take(wanted: string): string {
    let base = wanted.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 58) || 'peer';
    base = base.replace(/-+$/, '');
    let name = base;
    for (let n = 2; this.#used.has(name); n++) name = `${base}-${n}`;
    this.#used.add(name);
    return name;
  }
}

/** A short readable name for a group: `ns.app-value` (the `app` or `app.kubernetes.io/name` label, else all values). */
export function groupName(g: { namespace: string; labels: Record<string, string> }): string {
  const l = g.labels;
  const main = l['app'] ?? l['app.kubernetes.io/name'] ?? l['k8s-app'] ?? Object.values(l).join('-');
  return `${g.namespace}.${main || 'pods'}`;
}

/** Ports split by protocol, for one expectation per protocol. */
export function byProtocol(ports: readonly DeclaredPort[]): [L4Name, number[]][] {
  const out = new Map<L4Name, number[]>();
  for (const p of ports) out.set(p.protocol, [...(out.get(p.protocol) ?? []), p.port]);
  return [...out.entries()];
}

/** Parses `k=v,k2=v2` (the only selector form the incident commands take). */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`selector ${JSON.stringify(text)}: expected KEY=VALUE pairs separated by commas, like app=web,tier=frontend`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

// ---- the suite writer ----

export type PeerYaml = Record<string, unknown>;

export interface ExpectationYaml {
  /** Lines written above the expectation. */
  comment?: string[];
  name: string;
  tags: string[];
  from: string | PeerYaml;
  to?: string | PeerYaml;
  ports?: number[];
  protocol?: 'TCP' | 'UDP' | 'SCTP' | 'DNS';
  expect: 'allow' | 'deny';
  attempts?: number;
}

export interface SuiteYaml {
  name: string;
  description: string;
  /** Comment lines at the top of the file. */
  header: string[];
  defaults: { timeoutSeconds: number; attempts: number };
  endpoints: Record<string, PeerYaml>;
  /** Comments above single endpoints. */
  endpointComments?: Record<string, string>;
  expectations: ExpectationYaml[];
}

function comment(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
}

/** Renders a suite as YAML text with its comments; the text loads through the normal suite loader. */
export function renderSuite(s: SuiteYaml): string {
  const expectations = s.expectations.map((e) => {
    const out: Record<string, unknown> = { name: e.name, tags: e.tags, from: e.from };
    if (e.to !== undefined) out['to'] = e.to;
    if (e.ports !== undefined) {
      if (e.ports.length === 1) out['port'] = e.ports[0];
      else out['ports'] = e.ports;
    }
    if (e.protocol !== undefined && e.protocol !== 'TCP') out['protocol'] = e.protocol;
    out['expect'] = e.expect;
    if (e.attempts !== undefined) out['attempts'] = e.attempts;
    return out;
  });
  const spec: Record<string, unknown> = { defaults: s.defaults };
  if (Object.keys(s.endpoints).length > 0) spec['endpoints'] = s.endpoints;
  spec['expectations'] = expectations;
  const doc = new Document({ apiVersion: API_VERSION, kind: KIND, metadata: { name: s.name, description: s.description }, spec });
  doc.commentBefore = comment(s.header);
  const endpoints = doc.getIn(['spec', 'endpoints'], true);
  if (isMap(endpoints)) {
    for (const pair of endpoints.items) {
      if (isMap(pair.value)) flowAll(pair.value);
      const key = (pair.key as { value?: unknown }).value;
      const c = typeof key === 'string' ? s.endpointComments?.[key] : undefined;
      if (c !== undefined) (pair.key as { commentBefore?: string }).commentBefore = comment([c]);
    }
  }
  const seq = doc.getIn(['spec', 'expectations'], true);
  if (isSeq(seq)) {
    seq.items.forEach((item, i) => {
      const e = s.expectations[i]!;
      if (!isMap(item)) return;
      for (const pair of item.items) {
        if (isMap(pair.value) || isSeq(pair.value)) (pair.value as { flow: boolean }).flow = true;
      }
      if (e.comment && e.comment.length > 0) item.commentBefore = comment(e.comment);
    });
  }
  return doc.toString({ lineWidth: 0 });
}

function flowAll(map: YAMLMap): void {
  map.flow = true;
}

/**
 * Generated suite text -> suites, through the same loader `netprobe run` uses. A generated suite that does
 * not load is a bug in netprobe: the diagnostics are thrown.
 */
export function loadGeneratedSuite(yaml: string, file: string): Suite[] {
  const parsed = parseYaml(file, yaml);
  const { suites, diagnostics } = suitesFromDocuments(parsed.documents);
  const all = [...parsed.diagnostics, ...diagnostics];
  if (all.length > 0) throw new Error(`generated suite ${file} does not load:\n${all.map(formatDiagnostic).join('\n')}`);
  return suites;
}
