// Lints: NetworkPolicies the API server admits but that probably do not say what their author meant.
// Each has a code (docs/policy-checks.md#lints gives an example of each); they are warnings unless the
// command is asked to treat them as errors. Rules about one policy's text are here; the ones that need the
// state (pods, namespaces, Services) are in lints-state.ts.
import { parseCIDR, parseIP } from '../model/cidr.ts';
import { formatSelector } from '../model/selectors.ts';
import type { SourcePos } from '../suite/model.ts';
import { compilePolicy, type CompiledPolicy } from './compile.ts';
import { manifestsFromObjects } from './manifests.ts';
import { DEFAULT_PROTOCOL } from './ports.ts';
import type { InspectedPolicy } from './strict.ts';
import type { NetworkPolicyPeer, NetworkPolicyPort } from './types.ts';

export const LINTS = {
  NPL001: 'and-or-trap',
  NPL002: 'policy-types-mismatch',
  NPL003: 'selects-no-pod',
  NPL004: 'egress-without-dns',
  NPL005: 'ipblock-covers-cluster',
  NPL006: 'named-port-undeclared',
  NPL007: 'shadowed-rule',
  NPL008: 'cidr-host-bits',
} as const;
export type LintCode = keyof typeof LINTS;

export interface LintFinding {
  code: LintCode;
  file: string;
  line: number;
  col: number;
  message: string;
}

export type Path = readonly (string | number)[];

/** One admitted NetworkPolicy, compiled, with the positions of its parts. */
export interface LintTarget {
  compiled: CompiledPolicy;
  /** Where the value at `path` (from the document root: `['spec', 'ingress', 0]`) is written. */
  at: (path: Path) => SourcePos;
}

export function finding(code: LintCode, pos: SourcePos, message: string): LintFinding {
  return { code, file: pos.file, line: pos.line, col: pos.col, message };
}

export function formatFinding(f: LintFinding, severity: 'warning' | 'error' = 'warning'): string {
  return `${f.file}:${f.line}:${f.col}: ${severity} ${f.code} (${LINTS[f.code]}): ${f.message}`;
}

/** Admitted NetworkPolicies as lint targets (refused ones and admin policies are not linted). */
export function lintTargets(inspected: readonly InspectedPolicy[]): LintTarget[] {
  return inspected.flatMap((p) => {
    if (p.kind !== 'NetworkPolicy' || p.diagnostics.length > 0) return [];
    const policy = manifestsFromObjects([p.value], p.source.file).policies[0];
    if (policy === undefined) return [];
    const at = (path: Path): SourcePos => {
      let container: unknown = p.value;
      for (const key of path.slice(0, -1)) container = (container as Record<string | number, unknown> | undefined)?.[key];
      return p.positions.of(container, path[path.length - 1]);
    };
    return [{ compiled: compilePolicy(policy), at }];
  });
}

const peersKey = (dir: 'ingress' | 'egress'): 'from' | 'to' => (dir === 'ingress' ? 'from' : 'to');

/** Each rule of a policy with its direction and index. */
export function rulesOf(t: LintTarget): { dir: 'ingress' | 'egress'; index: number; peers: NetworkPolicyPeer[] | undefined; ports: NetworkPolicyPort[] | undefined }[] {
  const spec = t.compiled.policy.spec;
  return [
    ...(spec.ingress ?? []).map((r, index) => ({ dir: 'ingress' as const, index, peers: r.from, ports: r.ports })),
    ...(spec.egress ?? []).map((r, index) => ({ dir: 'egress' as const, index, peers: r.to, ports: r.ports })),
  ];
}

/** NPL001: a namespaceSelector-only peer next to a podSelector-only peer: two peers (OR), likely meant as one (AND). */
function andOrTrap(t: LintTarget): LintFinding[] {
  return rulesOf(t).flatMap(({ dir, index, peers }) => {
    const list = peers ?? [];
    const nsOnly = list.findIndex((p) => p.namespaceSelector !== undefined && p.podSelector === undefined && p.ipBlock === undefined);
    const podOnly = list.findIndex((p) => p.podSelector !== undefined && p.namespaceSelector === undefined && p.ipBlock === undefined);
    if (nsOnly < 0 || podOnly < 0) return [];
    const key = peersKey(dir);
    const ns = formatSelector(list[nsOnly]!.namespaceSelector!);
    const pods = formatSelector(list[podOnly]!.podSelector!);
    return [
      finding(
        'NPL001',
        t.at(['spec', dir, index, key, podOnly]),
        `${key}[${nsOnly}] (every pod in namespaces ${ns}) and ${key}[${podOnly}] (pods ${pods} of namespace ${t.compiled.namespace}) ` +
          `are two peers, so either one is enough (OR); if pods ${pods} in namespaces ${ns} was meant, write both selectors in one list item (AND)`,
      ),
    ];
  });
}

/** NPL002: rules of a direction policyTypes leaves out are ignored. */
function policyTypesMismatch(t: LintTarget): LintFinding[] {
  const listed = t.compiled.policy.spec.policyTypes ?? [];
  if (listed.length === 0) return [];
  const out: LintFinding[] = [];
  for (const [dir, type] of [['ingress', 'Ingress'], ['egress', 'Egress']] as const) {
    const rules = t.compiled.policy.spec[dir] ?? [];
    if (rules.length > 0 && !listed.includes(type)) {
      out.push(finding('NPL002', t.at(['spec', 'policyTypes']), `policyTypes [${listed.join(', ')}] leaves out ${type}, so the ${rules.length} ${dir} rule(s) are ignored; add ${type} to policyTypes or remove the rules`));
    }
  }
  return out;
}

function portCovers(outer: NetworkPolicyPort, inner: NetworkPolicyPort): boolean {
  if ((outer.protocol ?? DEFAULT_PROTOCOL) !== (inner.protocol ?? DEFAULT_PROTOCOL)) return false;
  if (outer.port === undefined) return true;
  if (inner.port === undefined) return false;
  if (typeof outer.port === 'string' || typeof inner.port === 'string') return outer.port === inner.port && inner.endPort === undefined;
  const [lo, hi] = [outer.port, outer.endPort ?? outer.port];
  return inner.port >= lo && (inner.endPort ?? inner.port) <= hi;
}

function covers(a: ReturnType<typeof rulesOf>[number], b: ReturnType<typeof rulesOf>[number]): boolean {
  const peersOk = (a.peers ?? []).length === 0 || ((b.peers ?? []).length > 0 && b.peers!.every((p) => a.peers!.some((q) => JSON.stringify(q) === JSON.stringify(p))));
  const portsOk = (a.ports ?? []).length === 0 || ((b.ports ?? []).length > 0 && b.ports!.every((p) => a.ports!.some((q) => portCovers(q, p))));
  return peersOk && portsOk;
}

/** NPL007: a rule that allows nothing another rule of the same policy does not already allow. */
function shadowedRules(t: LintTarget): LintFinding[] {
  const rules = rulesOf(t);
  return rules.flatMap((b) => {
    // Of two equal rules, the later one is reported.
    const a = rules.find((r) => r !== b && r.dir === b.dir && covers(r, b) && (!covers(b, r) || r.index < b.index));
    if (a === undefined) return [];
    return [finding('NPL007', t.at(['spec', b.dir, b.index]), `${b.dir}[${b.index}] allows nothing that ${a.dir}[${a.index}] does not already allow (every peer and port it names); remove it or narrow ${a.dir}[${a.index}]`)];
  });
}

/** NPL008: an ipBlock CIDR with host bits set: admitted with a warning, read as its network. */
function hostBits(t: LintTarget): LintFinding[] {
  return rulesOf(t).flatMap(({ dir, index, peers }) =>
    (peers ?? []).flatMap((p, j) => {
      if (p.ipBlock === undefined) return [];
      const base = ['spec', dir, index, peersKey(dir), j, 'ipBlock'];
      const cidrs: [string, Path][] = [[p.ipBlock.cidr, [...base, 'cidr']], ...(p.ipBlock.except ?? []).map((e, k): [string, Path] => [e, [...base, 'except', k]])];
      return cidrs.flatMap(([cidr, path]) => {
        const parsed = parseCIDR(cidr);
        const ip = parseIP(cidr.split('/')[0] ?? '');
        if (parsed === undefined || ip === undefined || ip.value === parsed.base) return [];
        return [finding('NPL008', t.at(path), `${cidr} has host bits set; it is read as the network it is in (prefix /${parsed.prefix}); write the network address, or /${parsed.family === 4 ? 32 : 128} for one address`)];
      });
    }),
  );
}

export const TEXT_LINTS: readonly ((t: LintTarget) => LintFinding[])[] = [andOrTrap, policyTypesMismatch, shadowedRules, hostBits];
