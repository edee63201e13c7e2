// Prediction of suite cases from policies: for one Case, every combination of the source's and the
// destination's pods (and, for a port range, every port where the policies' answer can change) is judged;
// the case is predicted allowed when all are allowed, denied when all are denied, and mixed otherwise.
// Pure: the CLI reads the files; src/verdict/predicted.ts turns a Prediction into a report Result.

import type { Case } from '../suite/model.ts';
import { cidrContainsIP, parseCIDR, parseIP, splitCIDR, type ParsedCIDR } from '../model/cidr.ts';
import type { PodInfo } from '../model/cluster.ts';
import type { CompiledPolicy } from './compile.ts';
import type { EvaluateOptions, Verdict } from './evaluate.ts';
import {
  connectionPorts,
  defaultPort,
  l4Protocol,
  resolvePeer,
  throughService,
  type PeerResolution,
  type PeerWorld,
} from './peers.ts';
import { endpointLabel, isPod, type Connection, type ConnectionPort, type Endpoint } from './types.ts';

/** What prediction needs from an engine: ConnectionJudge and AdminPolicyEngine both fit. */
export interface ConnectionJudge {
  evaluate(conn: Connection, options?: EvaluateOptions): Verdict;
  readonly policies: readonly CompiledPolicy[];
  /** More port numbers where the answer can change (admin rules). */
  portBoundaries?(): number[];
  /** More CIDRs where the answer can change (admin rules' networks). */
  cidrBoundaries?(): string[];
}

export type Predicted = 'allowed' | 'denied' | 'mixed' | 'unknown';

export interface Prediction {
  predicted: Predicted;
  /** The deciding policies (see Verdict.policies), over every combination judged. */
  policies: string[];
  /** One line: why, naming a combination that shows it. */
  detail: string;
  /** How many connections were judged. */
  checked: number;
  /** What the prediction rests on, for naming patterns when observation disagrees (src/verdict/patterns.ts). */
  facts: PredictionFacts;
}

export interface PredictionFacts {
  /** Denied combinations whose source egress denies, and whose destination ingress denies. */
  egressDenied: number;
  ingressDenied: number;
  /** The port is a name, or a deciding policy names ports by name. */
  namedPort: boolean;
  /** An address of the connection lies in an ipBlock `except` (of a deciding policy) whose cidr holds it. */
  ipBlockExcept: boolean;
}

function noFacts(): PredictionFacts {
  return { egressDenied: 0, ingressDenied: 0, namedPort: false, ipBlockExcept: false };
}

interface PolicyFacts {
  /** Keys of the policies with a rule that names a port by name. */
  namedPorts: Set<string>;
  /** Per policy key, its ipBlocks that have an `except`, parsed. */
  exceptBlocks: Map<string, { cidr: ParsedCIDR; except: ParsedCIDR[] }[]>;
}

const policyFactsCache = new WeakMap<readonly CompiledPolicy[], PolicyFacts>();

/** What the facts need from the policies, gathered once per policy list (not once per case). */
function policyFacts(engine: ConnectionJudge): PolicyFacts {
  let facts = policyFactsCache.get(engine.policies);
  if (facts === undefined) {
    facts = { namedPorts: new Set(), exceptBlocks: new Map() };
    for (const cp of engine.policies) {
      for (const rule of [...cp.ingress, ...cp.egress]) {
        if ((rule.ports ?? []).some((p) => typeof p.port === 'string')) facts.namedPorts.add(cp.key);
        for (const peer of rule.peers ?? []) {
          const block = peer.peer.ipBlock;
          const cidr = block?.except !== undefined && block.except.length > 0 ? parseCIDR(block.cidr) : undefined;
          if (cidr === undefined) continue;
          const except = (block?.except ?? []).map(parseCIDR).filter((c): c is ParsedCIDR => c !== undefined);
          const list = facts.exceptBlocks.get(cp.key) ?? [];
          list.push({ cidr, except });
          facts.exceptBlocks.set(cp.key, list);
        }
      }
    }
    policyFactsCache.set(engine.policies, facts);
  }
  return facts;
}

/** Whether a deciding policy names a port by name. */
function usesNamedPort(engine: ConnectionJudge, keys: ReadonlySet<string>): boolean {
  const named = policyFacts(engine).namedPorts;
  if (named.size === 0) return false;
  for (const k of keys) if (named.has(k)) return true;
  return false;
}

/** Whether `ip` is cut out of an ipBlock by its `except` in one of the deciding policies. */
function inExcept(engine: ConnectionJudge, keys: ReadonlySet<string>, ip: string): boolean {
  const byPolicy = policyFacts(engine).exceptBlocks;
  if (byPolicy.size === 0) return false;
  const addr = parseIP(ip);
  if (addr === undefined) return false;
  for (const k of keys) {
    for (const b of byPolicy.get(k) ?? []) if (cidrContainsIP(b.cidr, addr) && b.except.some((e) => cidrContainsIP(e, addr))) return true;
  }
  return false;
}

/** At most this many connections per case (large selectors times wide ranges). */
export const MAX_CONNECTIONS_PER_CASE = 5000;

/**
 * The ports of [from, to] where a verdict can change: both ends, and around every port number that a
 * policy or a container port names inside the range. Judging these is judging the whole range.
 */
export function rangeBreakpoints(engine: ConnectionJudge, pods: readonly Endpoint[], from: number, to: number): number[] {
  const points = new Set<number>([from, to]);
  const add = (n: number): void => {
    for (const p of [n - 1, n, n + 1]) if (p >= from && p <= to) points.add(p);
  };
  for (const cp of engine.policies) {
    for (const rule of [...cp.ingress, ...cp.egress]) {
      for (const port of rule.ports ?? []) {
        if (typeof port.port === 'number') add(port.port);
        if (port.endPort !== undefined) add(port.endPort);
      }
    }
  }
  for (const e of pods) if (isPod(e)) for (const c of e.containerPorts) add(c.port);
  for (const n of engine.portBoundaries?.() ?? []) add(n);
  return [...points].sort((a, b) => a - b);
}

/** Every ipBlock cidr and except of the policies (and admin networks): where a CIDR's answer can change. */
export function cidrBoundaries(engine: ConnectionJudge): string[] {
  const cuts = new Set<string>(engine.cidrBoundaries?.() ?? []);
  for (const cp of engine.policies) {
    for (const rule of [...cp.ingress, ...cp.egress]) {
      for (const peer of rule.peers ?? []) {
        const block = peer.peer.ipBlock;
        if (block === undefined) continue;
        cuts.add(block.cidr);
        for (const e of block.except ?? []) cuts.add(e);
      }
    }
  }
  return [...cuts];
}

/** A CIDR destination as one address per piece the policies treat alike, each labelled with its part. */
function cidrPeer(engine: ConnectionJudge, cidr: string): PeerResolution {
  const pieces = splitCIDR(cidr, cidrBoundaries(engine));
  if (pieces === undefined) return { ok: false, reason: `${cidr} is not a CIDR` };
  if (pieces.length === 1) return { ok: true, endpoints: [{ ip: pieces[0]!.first, label: cidr }] };
  return { ok: true, endpoints: pieces.map((p) => ({ ip: p.first, label: p.cidrs.join(' + ') })) };
}

/** Another pod with `pod`'s labels and service account (no address of its own yet). */
function anotherReplica(pod: PodInfo): PodInfo {
  return { ...pod, name: `${pod.name} (another pod of its labels)`, ips: [] };
}

function unknown(detail: string): Prediction {
  return { predicted: 'unknown', policies: [], detail, checked: 0, facts: noFacts() };
}

function describe(src: Endpoint, dst: Endpoint, port: ConnectionPort, v: Verdict): string {
  const p = typeof port === 'number' ? String(port) : port.name;
  const why = v.allowed
    ? `egress ${v.egress.reason}; ingress ${v.ingress.reason}`
    : (v.egress.allowed ? v.ingress : v.egress).reason;
  return `${endpointLabel(src)} -> ${endpointLabel(dst)}:${p}/${v.protocol}: ${why}`;
}

export function predictCase(engine: ConnectionJudge, world: PeerWorld, c: Case): Prediction {
  const from: PeerResolution = resolvePeer(c.from.peer, world);
  if (!from.ok) return unknown(`source ${c.from.label}: ${from.reason}`);
  const to: PeerResolution = c.to.peer.kind === 'cidr' ? cidrPeer(engine, c.to.peer.cidr) : resolvePeer(c.to.peer, world);
  if (!to.ok) return unknown(`destination ${c.to.label}: ${to.reason}`);
  const protocol = l4Protocol(c.expectation.protocol);
  let ports: ConnectionPort[];
  if (c.port?.kind === 'range') ports = rangeBreakpoints(engine, to.endpoints, c.port.from, c.port.to);
  else if (c.port !== undefined) ports = connectionPorts(c.port);
  else {
    const implied = to.port ?? defaultPort(c.expectation.protocol);
    if (implied === undefined) return unknown('no port to judge: the expectation names none');
    ports = [implied];
  }
  if (to.service !== undefined) {
    const svc = to.service;
    ports = ports.map((p) => throughService(svc, p, protocol));
  }
  const policies = new Set<string>();
  let allowed = 0;
  let denied = 0;
  let firstAllowed = '';
  let firstDenied = '';
  let checked = 0;
  const facts = noFacts();
  facts.namedPort = ports.some((p) => typeof p !== 'number');
  let twin = false;
  for (const from1 of from.endpoints) {
    for (const dst of to.endpoints) {
      // A pod always reaches itself; a case from a pod's labels to the same pod asks what another pod of
      // those labels meets (a second replica, or the probe pod `run` starts), so that is what is judged.
      const src = from1 === dst && isPod(from1) ? anotherReplica(from1) : from1;
      twin ||= src !== from1;
      for (const port of ports) {
        if (checked >= MAX_CONNECTIONS_PER_CASE) break;
        checked++;
        const v = engine.evaluate({ source: src, destination: dst, port, protocol });
        if (v.error !== undefined) return unknown(`${endpointLabel(src)} -> ${endpointLabel(dst)}: ${v.error}`);
        if (v.allowed) {
          allowed++;
          firstAllowed ||= describe(src, dst, port, v);
        } else {
          denied++;
          firstDenied ||= describe(src, dst, port, v);
          if (!v.egress.allowed) facts.egressDenied++;
          if (!v.ingress.allowed) facts.ingressDenied++;
        }
        for (const p of v.policies) policies.add(p);
      }
    }
  }
  facts.namedPort ||= usesNamedPort(engine, policies);
  for (const e of [...from.endpoints, ...to.endpoints]) if (!isPod(e) && inExcept(engine, policies, e.ip)) facts.ipBlockExcept = true;
  const standIn =
    (from.standIn || to.standIn ? ' (no pod in the manifests matches; judged for a stand-in with the selector labels)' : '') +
    (twin ? ' (from another pod with the same labels: a pod always reaches itself)' : '');
  if (denied === 0) return { predicted: 'allowed', policies: [...policies], detail: `${firstAllowed}${standIn}`, checked, facts };
  if (allowed === 0) return { predicted: 'denied', policies: [...policies], detail: `${firstDenied}${standIn}`, checked, facts };
  return {
    predicted: 'mixed',
    policies: [...policies],
    detail: `${allowed} of ${checked} combinations allowed, e.g. ${firstAllowed}; denied: ${firstDenied}${standIn}`,
    checked,
    facts,
  };
}
