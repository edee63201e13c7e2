// Normalization: a structurally valid document (validate.ts) -> the Suite model, with defaults applied
// and the rules a JSON Schema cannot state: endpoint references, which peers may be sources, which
// protocols fit which destinations, port shapes per destination, duplicate ports. Values the validator
// already reported (INVALID) are skipped silently so that each problem is reported once.
import type { Expectation, HttpCheck, NamedPeer, Peer, PortRef, Protocol, SourcePos, Suite, WorkloadKind } from './model.ts';
import { standInLabels, type LabelSelector, type LabelSelectorRequirement, type SelectorOperator } from '../model/selectors.ts';
import { type Diagnostic, diagnostic, oneOf, suggest } from './diagnostics.ts';
import { CLUSTER_DNS, DEFAULTS } from './definitions.ts';
import { INVALID, type PlainObject, type Positions, hasProblems } from './validate.ts';
import { peerLabel } from './peers.ts';
import { redactQuery } from '../util/redact.ts';

interface Ctx {
  positions: Positions;
  diagnostics: Diagnostic[];
  namespace?: string;
  endpoints: Map<string, { peer: Peer | undefined; pos: SourcePos }>;
  /** Endpoint mappings as written, for L7 fields on url endpoints. */
  endpointRaw: Map<string, PlainObject>;
}

const isObject = (v: unknown): v is PlainObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: PlainObject, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const num = (o: PlainObject, k: string): number | undefined => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
const bad = (o: PlainObject, k: string): boolean => o[k] === INVALID;

function report(ctx: Ctx, pos: SourcePos, message: string): false {
  ctx.diagnostics.push(diagnostic(pos, message));
  return false;
}

function toSelector(raw: unknown): LabelSelector | undefined {
  if (!isObject(raw)) return undefined;
  const selector: LabelSelector = {};
  if (raw.matchLabels !== undefined) {
    if (!isObject(raw.matchLabels)) return undefined;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw.matchLabels)) {
      if (typeof v !== 'string') return undefined;
      labels[k] = v;
    }
    selector.matchLabels = labels;
  }
  if (raw.matchExpressions !== undefined) {
    if (!Array.isArray(raw.matchExpressions)) return undefined;
    const list: LabelSelectorRequirement[] = [];
    for (const item of raw.matchExpressions) {
      if (!isObject(item)) return undefined;
      const key = str(item, 'key');
      const operator = str(item, 'operator') as SelectorOperator | undefined;
      if (key === undefined || operator === undefined || bad(item, 'values')) return undefined;
      const req: LabelSelectorRequirement = { key, operator };
      if (Array.isArray(item.values)) {
        if (item.values.some((v) => typeof v !== 'string')) return undefined;
        if (operator === 'In' || operator === 'NotIn') req.values = [...new Set(item.values as string[])];
      }
      list.push(req);
    }
    selector.matchExpressions = list;
  }
  return selector;
}

/** A raw peer mapping -> Peer, or undefined (reported here, or already by the validator). */
function toPeer(ctx: Ctx, raw: unknown): Peer | undefined {
  if (!isObject(raw)) return undefined;
  if (hasProblems(raw) || Object.values(raw).includes(INVALID)) return undefined;
  const pos = ctx.positions.of(raw);
  const namespace = (): string | undefined => {
    const ns = str(raw, 'namespace') ?? ctx.namespace;
    if (ns === undefined) report(ctx, pos, 'peer has no namespace; expected `namespace:` on the peer or `spec.defaults.namespace`');
    return ns;
  };
  if ('podSelector' in raw) {
    const selector = toSelector(raw.podSelector);
    const ns = namespace();
    if (!selector || ns === undefined) return undefined;
    const peer: Peer = { kind: 'pods', namespace: ns, podSelector: selector };
    const sa = str(raw, 'serviceAccount');
    if (sa !== undefined) peer.serviceAccount = sa;
    if (raw.synthetic === true) {
      if (Object.keys(standInLabels(selector) ?? {}).length === 0)
        return void report(ctx, ctx.positions.keyOf(raw, 'synthetic'), 'synthetic: true needs a podSelector that names labels a stand-in can carry (matchLabels, In or Exists, not contradicting each other)');
      peer.synthetic = true;
    }
    if (raw.ephemeral === true) {
      if (peer.synthetic) return void report(ctx, ctx.positions.keyOf(raw, 'ephemeral'), 'ephemeral: true probes from inside a running pod, synthetic: true from a stand-in; expected one of them');
      peer.ephemeral = true;
    }
    return peer;
  }
  if ('workload' in raw) {
    const w = raw.workload;
    const ns = namespace();
    if (!isObject(w) || ns === undefined) return undefined;
    const kind = str(w, 'kind') as WorkloadKind | undefined;
    const name = str(w, 'name');
    if (kind === undefined || name === undefined) return undefined;
    return raw.ephemeral === true ? { kind: 'workload', namespace: ns, workloadKind: kind, name, ephemeral: true } : { kind: 'workload', namespace: ns, workloadKind: kind, name };
  }
  if ('service' in raw) {
    const ns = namespace();
    const name = str(raw, 'service');
    return ns === undefined || name === undefined ? undefined : { kind: 'service', namespace: ns, name };
  }
  if ('host' in raw) {
    const host = str(raw, 'host');
    return host === undefined ? undefined : { kind: 'host', host };
  }
  if ('cidr' in raw) {
    const cidr = str(raw, 'cidr');
    return cidr === undefined ? undefined : { kind: 'cidr', cidr };
  }
  if ('url' in raw) {
    const url = str(raw, 'url');
    if (url === undefined) return undefined;
    const path = str(raw, 'path');
    if (path === undefined) return { kind: 'url', url };
    const parsed = new URL(url);
    if (parsed.pathname !== '/' || parsed.search !== '')
      return void report(ctx, ctx.positions.keyOf(raw, 'path'), `\`path\` given but the URL already has the path ${JSON.stringify(redactQuery(parsed.pathname + parsed.search))}; expected one of them`);
    return { kind: 'url', url: new URL(path, parsed).toString() };
  }
  return undefined;
}

/** A value that may be one item or a list of them, as items with their positions. */
function itemsOf(ctx: Ctx, owner: PlainObject, key: string): { value: unknown; pos: SourcePos }[] {
  const raw = owner[key];
  return Array.isArray(raw) ? raw.map((value, i) => ({ value, pos: ctx.positions.of(raw, i) })) : [{ value: raw, pos: ctx.positions.of(owner, key) }];
}

/** `from`/`to` as written (name, inline peer, or a list of them) -> NamedPeers; undefined if any failed. */
function peerList(ctx: Ctx, owner: PlainObject, key: 'from' | 'to'): NamedPeer[] | undefined {
  if (owner[key] === INVALID) return undefined;
  const items = itemsOf(ctx, owner, key);
  const out: NamedPeer[] = [];
  let ok = true;
  for (const { value, pos } of items) {
    if (value === INVALID) {
      ok = false;
      continue;
    }
    if (typeof value === 'string') {
      const endpoint = ctx.endpoints.get(value);
      if (!endpoint) {
        const names = [...ctx.endpoints.keys()];
        const guess = suggest(value, names);
        const hint = guess !== undefined ? `; did you mean \`${guess}\`?` : names.length > 0 ? `; expected one of ${oneOf(names)}` : '; expected a name defined under spec.endpoints (there are none)';
        ok = report(ctx, pos, `${key}: unknown endpoint \`${value}\`${hint}`);
        continue;
      }
      if (!endpoint.peer) {
        ok = false;
        continue;
      }
      out.push({ label: value, peer: endpoint.peer, pos });
      continue;
    }
    const peer = toPeer(ctx, value);
    if (!peer) {
      ok = false;
      continue;
    }
    out.push({ label: peerLabel(peer), peer, pos });
  }
  return ok ? out : undefined;
}

function toPortRef(value: unknown): PortRef | undefined {
  if (typeof value === 'number') return { kind: 'number', port: value };
  if (typeof value !== 'string') return undefined;
  const range = /^([0-9]+)-([0-9]+)$/.exec(value);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    return from === to ? { kind: 'number', port: from } : { kind: 'range', from, to };
  }
  return { kind: 'name', name: value };
}

export function portText(p: PortRef): string {
  return p.kind === 'number' ? String(p.port) : p.kind === 'name' ? p.name : `${p.from}-${p.to}`;
}

const PEER_NOUN: Record<Peer['kind'], string> = {
  pods: 'a pod peer',
  workload: 'a workload peer',
  service: 'a service peer',
  host: 'a host peer',
  cidr: 'a cidr peer',
  url: 'a url peer',
};

function describePeer(p: NamedPeer): string {
  return p.label !== peerLabel(p.peer) ? `endpoint \`${p.label}\` (${PEER_NOUN[p.peer.kind]})` : PEER_NOUN[p.peer.kind];
}

function checkSources(ctx: Ctx, from: NamedPeer[]): boolean {
  let ok = true;
  for (const p of from) {
    if (p.peer.kind === 'pods' || p.peer.kind === 'workload') continue;
    ok = report(ctx, p.pos, `from: ${describePeer(p)} cannot be a source; netprobe sends traffic from pods, expected a pod peer (podSelector) or a workload`);
  }
  return ok;
}

function checkDestinations(ctx: Ctx, to: NamedPeer[], protocol: Protocol, protocolPos: SourcePos): boolean {
  let ok = true;
  for (const p of to) {
    const k = p.peer.kind;
    if ((k === 'pods' || k === 'workload') && p.peer.ephemeral === true)
      ok = report(ctx, p.pos, `to: ${describePeer(p)} has ephemeral: true, which only applies to a source (netprobe probes from inside that pod); expected it under \`from\``);
    else if (k === 'url' && protocol !== 'HTTP' && protocol !== 'HTTPS')
      ok = report(ctx, protocolPos, `protocol: found ${protocol} with ${describePeer(p)} in \`to\`; expected HTTP or HTTPS (a url is fetched over HTTP)`);
    else if (k === 'url') {
      const scheme = new URL((p.peer as { url: string }).url).protocol === 'https:' ? 'HTTPS' : 'HTTP';
      if (scheme !== protocol) ok = report(ctx, protocolPos, `protocol: found ${protocol} but ${describePeer(p)} is an ${scheme.toLowerCase()}:// URL; expected ${scheme}`);
    } else if (protocol === 'DNS' && k === 'cidr')
      ok = report(ctx, p.pos, `to: ${describePeer(p)} cannot answer DNS; expected the DNS server as a pod, workload, service or host (or no \`to\` for cluster DNS)`);
  }
  return ok;
}

function checkPorts(ctx: Ctx, e: PlainObject, to: NamedPeer[], protocol: Protocol): PortRef[] | undefined {
  const key = 'ports' in e ? 'ports' : 'port' in e ? 'port' : undefined;
  const hasUrl = to.some((p) => p.peer.kind === 'url');
  if (hasUrl) {
    if (to.some((p) => p.peer.kind !== 'url'))
      return void report(ctx, ctx.positions.of(e, 'to'), 'to: mixes url peers with other peers; expected only url peers (the URL carries the port) or none');
    if (key !== undefined) return void report(ctx, ctx.positions.keyOf(e, key), `\`${key}\` cannot be used with url peers; expected the port inside the URL (like http://host:8080/)`);
    return [];
  }
  if (key === undefined) {
    if (protocol === 'DNS') return [{ kind: 'number', port: DEFAULTS.dnsPort }];
    if (protocol === 'HTTP') return [{ kind: 'number', port: DEFAULTS.httpPort }];
    if (protocol === 'HTTPS') return [{ kind: 'number', port: DEFAULTS.httpsPort }];
    if (hasProblems(e)) return undefined; // a misspelt `port` was reported as an unknown key
    return void report(ctx, ctx.positions.of(e), `expectation: missing \`port\` or \`ports\`; expected the destination port for ${protocol} (a number, a named port or a range)`);
  }
  if (e[key] === INVALID) return undefined;
  const values = itemsOf(ctx, e, key);
  const out: PortRef[] = [];
  const seen = new Map<string, SourcePos>();
  let ok = true;
  for (const { value, pos } of values) {
    const ref = toPortRef(value);
    if (!ref) {
      ok = false;
      continue;
    }
    const text = portText(ref);
    const first = seen.get(text);
    if (first) {
      ok = report(ctx, pos, `${key}: port ${text} is listed twice (first at ${first.line}:${first.col}); expected each port once`);
      continue;
    }
    seen.set(text, pos);
    if (ref.kind === 'name') {
      const literal = to.find((p) => p.peer.kind === 'host' || p.peer.kind === 'cidr');
      if (literal) {
        ok = report(ctx, pos, `${key}: named port \`${ref.name}\` cannot be resolved for ${describePeer(literal)}; expected a port number (names resolve only on pods, workloads and services)`);
        continue;
      }
    }
    out.push(ref);
  }
  return ok ? out : undefined;
}

function httpCheck(ctx: Ctx, e: PlainObject, to: NamedPeer[], rawTo: unknown, protocol: Protocol): HttpCheck | undefined | false {
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') return undefined;
  const check: HttpCheck = { method: DEFAULTS.httpMethod, path: DEFAULTS.httpPath, headers: {} };
  const sources: PlainObject[] = [];
  if (isObject(e.http)) sources.push(e.http);
  // L7 fields written on url peers (inline, or through endpoints) apply to the expectation.
  const urlRaw: PlainObject[] = [];
  const rawItems = Array.isArray(rawTo) ? rawTo : [rawTo];
  for (const item of rawItems) if (isObject(item) && 'url' in item) urlRaw.push(item);
  for (const p of to) {
    if (p.peer.kind !== 'url') continue;
    const ep = ctx.endpointRaw.get(p.label);
    if (ep) urlRaw.push(ep);
  }
  const l7 = ['method', 'headers', 'expectStatus'] as const;
  const fromUrl = urlRaw.filter((u) => l7.some((k) => k in u));
  if (fromUrl.length > 0 && sources.length > 0)
    return report(ctx, ctx.positions.keyOf(e, 'http'), '`http` given and the url peer sets method/headers/expectStatus too; expected them in one place');
  const distinct = new Set(fromUrl.map((u) => JSON.stringify(l7.map((k) => u[k]))));
  if (distinct.size > 1) return report(ctx, ctx.positions.of(e, 'to'), 'to: url peers ask for different methods, headers or statuses; expected one set per expectation (split it)');
  if (fromUrl[0]) sources.push(fromUrl[0]);
  for (const s of sources) {
    const method = str(s, 'method');
    if (method !== undefined) check.method = method;
    const path = str(s, 'path');
    if (path !== undefined && !('url' in s)) check.path = path;
    if (isObject(s.headers)) for (const [k, v] of Object.entries(s.headers)) if (typeof v === 'string') check.headers[k] = v;
    const status = num(s, 'expectStatus');
    if (status !== undefined) check.expectStatus = status;
  }
  return check;
}

function derivedName(x: { expect: string; from: NamedPeer[]; to: NamedPeer[]; protocol: Protocol; ports: PortRef[]; dnsName?: string }): string {
  const side = (list: NamedPeer[]): string => list.map((p) => p.label).join(' + ');
  const ports = x.ports.map(portText).join('+');
  const what = x.protocol === 'DNS' ? `DNS ${x.dnsName ?? ''}` : ports ? `${x.protocol}/${ports}` : x.protocol;
  return `${x.expect} ${side(x.from)} -> ${side(x.to)} ${what}`.replace(/,/g, ';').replace(/\s+/g, ' ').trim();
}

function normalizeExpectation(ctx: Ctx, e: PlainObject, suite: string, defaults: { timeoutSeconds: number; attempts: number }): Expectation | undefined {
  const pos = ctx.positions.of(e);
  const before = ctx.diagnostics.length;
  const from = peerList(ctx, e, 'from');
  const protocolBad = bad(e, 'protocol');
  const explicitProtocol = str(e, 'protocol') as Protocol | undefined;
  let to: NamedPeer[] | undefined;
  if ('to' in e) to = peerList(ctx, e, 'to');
  else if (explicitProtocol === 'DNS') to = [{ label: 'cluster-dns', peer: { kind: 'service', namespace: CLUSTER_DNS.namespace, name: CLUSTER_DNS.name }, pos }];
  let ok = from !== undefined && to !== undefined && !protocolBad;
  if (from) ok = checkSources(ctx, from) && ok;
  if (!to || protocolBad) return undefined;

  let protocol: Protocol = explicitProtocol ?? (DEFAULTS.protocol as Protocol);
  if (explicitProtocol === undefined && to.length > 0 && to.every((p) => p.peer.kind === 'url')) {
    const schemes = new Set(to.map((p) => (new URL((p.peer as { url: string }).url).protocol === 'https:' ? 'HTTPS' : 'HTTP')));
    if (schemes.size > 1) return void report(ctx, ctx.positions.of(e, 'to'), 'to: mixes http:// and https:// URLs; expected one scheme per expectation (or set `protocol`)');
    protocol = [...schemes][0] as Protocol;
  }
  const protocolPos = 'protocol' in e ? ctx.positions.of(e, 'protocol') : ctx.positions.of(e, 'to');
  ok = checkDestinations(ctx, to, protocol, protocolPos) && ok;
  const ports = bad(e, 'port') || bad(e, 'ports') ? undefined : checkPorts(ctx, e, to, protocol);
  const http = bad(e, 'http') ? false : httpCheck(ctx, e, to, e.to, protocol);
  const expect = str(e, 'expect') as 'allow' | 'deny' | undefined;
  const invalid = ['name', 'tags', 'dnsName', 'timeoutSeconds', 'attempts'].some((k) => bad(e, k));
  if (!ok || !from || !ports || http === false || expect === undefined || invalid || hasProblems(e) || ctx.diagnostics.length > before) return undefined;

  const expectation: Expectation = {
    name: str(e, 'name') ?? '',
    suite,
    tags: Array.isArray(e.tags) ? [...new Set(e.tags.filter((t): t is string => typeof t === 'string'))] : [],
    from,
    to,
    ports,
    protocol,
    expect,
    timeoutSeconds: num(e, 'timeoutSeconds') ?? defaults.timeoutSeconds,
    attempts: num(e, 'attempts') ?? defaults.attempts,
    pos,
  };
  if (http) expectation.http = http;
  if (protocol === 'DNS') expectation.dnsName = str(e, 'dnsName') ?? DEFAULTS.dnsName;
  const description = str(e, 'description');
  if (description !== undefined) expectation.description = description;
  if (expectation.name === '') expectation.name = derivedName(expectation);
  return expectation;
}

export interface NormalizedSuite {
  suite?: Suite;
  /** Whether each expectation had an explicit name (same order as suite.expectations). */
  named: boolean[];
}

/** A validated ConnectivitySuite document -> Suite. Problems go to `diagnostics`. */
export function normalizeSuite(value: unknown, positions: Positions, file: string, diagnostics: Diagnostic[]): NormalizedSuite {
  if (!isObject(value)) return { named: [] };
  const metadata = value.metadata;
  const spec = value.spec;
  const name = isObject(metadata) ? str(metadata, 'name') : undefined;
  if (!isObject(spec)) return { named: [] };
  const defaultsRaw = isObject(spec.defaults) ? spec.defaults : {};
  const defaults = {
    timeoutSeconds: num(defaultsRaw, 'timeoutSeconds') ?? DEFAULTS.timeoutSeconds,
    attempts: num(defaultsRaw, 'attempts') ?? DEFAULTS.attempts,
  };
  const ctx: Ctx = { positions, diagnostics, endpoints: new Map(), endpointRaw: new Map() };
  const ns = str(defaultsRaw, 'namespace');
  if (ns !== undefined) ctx.namespace = ns;
  if (isObject(spec.endpoints)) {
    for (const [epName, raw] of Object.entries(spec.endpoints)) {
      const peer = raw === INVALID ? undefined : toPeer(ctx, raw);
      ctx.endpoints.set(epName, { peer, pos: positions.of(spec.endpoints, epName) });
      if (isObject(raw)) ctx.endpointRaw.set(epName, raw);
    }
  }
  const expectations: Expectation[] = [];
  const named: boolean[] = [];
  if (Array.isArray(spec.expectations)) {
    for (const raw of spec.expectations) {
      if (!isObject(raw)) continue;
      const e = normalizeExpectation(ctx, raw, name ?? '', defaults);
      if (e) {
        expectations.push(e);
        named.push(typeof raw.name === 'string');
      }
    }
  }
  if (name === undefined || bad(value, 'apiVersion') || bad(value, 'kind')) return { named: [] };
  const suite: Suite = { name, file, expectations, pos: positions.of(value) };
  const description = isObject(metadata) ? str(metadata, 'description') : undefined;
  if (description !== undefined) suite.description = description;
  return { suite, named };
}
