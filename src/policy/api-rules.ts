// The API server's rules between fields of a policy, on a document the shape walk (api-shapes.ts) has
// already checked. NetworkPolicy: as pkg/apis/networking/validation (ValidateNetworkPolicyPort, ...Peer,
// ...Spec, ValidateIPBlock); the CIDR parsing is the legacy one the API server uses for ipBlock while the
// StrictIPCIDRValidation gate is off (host bits may be set: that is a lint, not an error).
// AdminNetworkPolicy / BaselineAdminNetworkPolicy: the CRDs' minProperties/maxProperties, maxItems and
// CEL rules (one field per peer and port, start < end, isCIDR, the baseline named `default`).
import { parseCIDR, type ParsedCIDR } from '../model/cidr.ts';
import { diagnostic, type Diagnostic } from '../suite/diagnostics.ts';
import type { SourcePos } from '../suite/model.ts';
import type { Positions } from '../suite/validate.ts';
import type { PolicyKind } from './api-shapes.ts';

type Obj = Record<string, unknown>;

interface Ctx {
  positions: Positions;
  out: Diagnostic[];
}

function obj(x: unknown): Obj | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Obj) : undefined;
}

function list(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

function report(ctx: Ctx, pos: SourcePos, message: string): void {
  ctx.out.push(diagnostic(pos, message));
}

/** The IANA service name rules the API server applies to a named port (IsValidPortName). */
export function portNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 15) return 'must be 1-15 characters';
  if (!/^[-a-z0-9]+$/.test(name)) return 'must contain only lowercase letters, digits and `-`';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter (a-z)';
  if (name.includes('--')) return 'must not contain consecutive hyphens';
  if (name.startsWith('-') || name.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

const validPort = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

function checkNpPort(ctx: Ctx, p: Obj, path: string): void {
  const { port, endPort } = p;
  const pos = (k: string): SourcePos => ctx.positions.of(p, k);
  if (typeof port === 'number') {
    if (!validPort(port)) report(ctx, pos('port'), `${path}.port: found ${port}, expected a port number 1-65535`);
    if (typeof endPort === 'number') {
      if (endPort < port) report(ctx, pos('endPort'), `${path}.endPort: found ${endPort}, expected a number greater than or equal to \`port\` (${port})`);
      else if (!validPort(endPort)) report(ctx, pos('endPort'), `${path}.endPort: found ${endPort}, expected a port number 1-65535`);
    }
  } else if (typeof port === 'string') {
    if (endPort !== undefined) report(ctx, ctx.positions.keyOf(p, 'endPort'), `${path}.endPort: not allowed when \`port\` is a named port ("${port}"); expected a numeric port for a range`);
    const problem = portNameProblem(port);
    const hint = /^\d+$/.test(port) ? `; write the number without quotes (${port})` : '';
    if (problem !== undefined) report(ctx, pos('port'), `${path}.port: found "${port}", expected a number or a port name that ${problem}${hint}`);
  } else if (port === undefined && endPort !== undefined) {
    report(ctx, ctx.positions.keyOf(p, 'endPort'), `${path}.endPort: not allowed without \`port\`; expected \`port\` as the start of the range`);
  }
}

/** Legacy ipBlock CIDR parsing: an address, `/`, a prefix length (host bits may be set). */
function cidrProblem(value: string): string | undefined {
  if (!value.includes('/')) return `found "${value}", expected a CIDR with a prefix length like ${value || '10.0.0.0'}/32`;
  return parseCIDR(value) === undefined ? `found "${value}", expected a CIDR like 10.0.0.0/8 or fd00::/8` : undefined;
}

function strictlyInside(inner: ParsedCIDR, outer: ParsedCIDR): boolean {
  const hostBits = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return inner.family === outer.family && inner.prefix > outer.prefix && inner.base >> hostBits === outer.base >> hostBits;
}

function checkIPBlock(ctx: Ctx, block: Obj, path: string): void {
  const { cidr } = block;
  if (typeof cidr !== 'string') return;
  if (cidr === '') return report(ctx, ctx.positions.of(block, 'cidr'), `${path}.cidr: found an empty string, expected a CIDR`);
  const problem = cidrProblem(cidr);
  if (problem !== undefined) return report(ctx, ctx.positions.of(block, 'cidr'), `${path}.cidr: ${problem}`);
  const outer = parseCIDR(cidr)!;
  const except = list(block['except']);
  except.forEach((e, i) => {
    if (typeof e !== 'string') return;
    const pos = ctx.positions.of(except, i);
    const bad = cidrProblem(e);
    if (bad !== undefined) return report(ctx, pos, `${path}.except[${i}]: ${bad}`);
    const inner = parseCIDR(e)!;
    if (!strictlyInside(inner, outer)) report(ctx, pos, `${path}.except[${i}]: found ${e}, expected a strict subset of \`cidr\` (${cidr})`);
  });
}

function checkNpPeer(ctx: Ctx, peer: Obj, path: string): void {
  const kinds = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => peer[k] !== undefined);
  if (kinds.length === 0) {
    report(ctx, ctx.positions.of(peer), `${path}: found an empty peer, expected \`podSelector\`, \`namespaceSelector\` or \`ipBlock\` (an empty peer is rejected; to match everything leave out \`from\`/\`to\`)`);
  } else if (kinds.length > 1 && peer['ipBlock'] !== undefined) {
    report(ctx, ctx.positions.keyOf(peer, 'ipBlock'), `${path}: \`ipBlock\` cannot be combined with \`${kinds.find((k) => k !== 'ipBlock')}\` in one peer; expected a separate list item`);
  }
  const block = obj(peer['ipBlock']);
  if (block !== undefined) checkIPBlock(ctx, block, `${path}.ipBlock`);
}

function checkNetworkPolicy(ctx: Ctx, spec: Obj): void {
  for (const [dir, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    list(spec[dir]).forEach((r, i) => {
      const rule = obj(r);
      if (rule === undefined) return;
      list(rule['ports']).forEach((p, j) => {
        const port = obj(p);
        if (port !== undefined) checkNpPort(ctx, port, `spec.${dir}[${i}].ports[${j}]`);
      });
      list(rule[peersKey]).forEach((p, j) => {
        const peer = obj(p);
        if (peer !== undefined) checkNpPeer(ctx, peer, `spec.${dir}[${i}].${peersKey}[${j}]`);
      });
    });
  }
  const types = spec['policyTypes'];
  if (Array.isArray(types) && types.length > 2) {
    report(ctx, ctx.positions.of(spec, 'policyTypes'), `spec.policyTypes: found ${types.length} entries, expected at most two (Ingress, Egress)`);
  }
}

// ---- admin policies ---------------------------------------------------------------------------------

function exactlyOne(ctx: Ctx, o: Obj, keys: readonly string[], path: string): void {
  const present = keys.filter((k) => o[k] !== undefined);
  if (present.length === 1) return;
  const choices = keys.map((k) => `\`${k}\``).join(', ');
  if (present.length === 0) report(ctx, ctx.positions.of(o), `${path}: found none of ${choices}, expected exactly one`);
  else report(ctx, ctx.positions.keyOf(o, present[1]!), `${path}: found both \`${present[0]}\` and \`${present[1]}\`, expected exactly one of ${choices}`);
}

function maxItems(ctx: Ctx, container: Obj, key: string, max: number, path: string): void {
  const n = list(container[key]).length;
  if (n > max) report(ctx, ctx.positions.of(container, key), `${path}.${key}: found ${n} entries, expected at most ${max}`);
}

function checkAdminPort(ctx: Ctx, port: Obj, path: string): void {
  exactlyOne(ctx, port, ['portNumber', 'namedPort', 'portRange'], path);
  const range = obj(port['portRange']);
  if (range !== undefined && typeof range['start'] === 'number' && typeof range['end'] === 'number' && range['start'] >= range['end']) {
    report(ctx, ctx.positions.of(range, 'end'), `${path}.portRange: found start ${range['start']} and end ${range['end']}, expected start less than end`);
  }
}

function checkAdminPeer(ctx: Ctx, peer: Obj, egress: boolean, path: string): void {
  exactlyOne(ctx, peer, egress ? ['namespaces', 'pods', 'nodes', 'networks'] : ['namespaces', 'pods'], path);
  maxItems(ctx, peer, 'networks', 25, path);
  const networks = list(peer['networks']);
  networks.forEach((n, i) => {
    if (typeof n !== 'string') return;
    const problem = cidrProblem(n);
    if (problem !== undefined) report(ctx, ctx.positions.of(networks, i), `${path}.networks[${i}]: ${problem}`);
  });
}

function checkAdminRules(ctx: Ctx, spec: Obj): void {
  for (const [dir, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    maxItems(ctx, spec, dir, 100, 'spec');
    list(spec[dir]).forEach((r, i) => {
      const rule = obj(r);
      if (rule === undefined) return;
      const path = `spec.${dir}[${i}]`;
      maxItems(ctx, rule, peersKey, 100, path);
      maxItems(ctx, rule, 'ports', 100, path);
      list(rule[peersKey]).forEach((p, j) => {
        const peer = obj(p);
        if (peer !== undefined) checkAdminPeer(ctx, peer, dir === 'egress', `${path}.${peersKey}[${j}]`);
      });
      list(rule['ports']).forEach((p, j) => {
        const port = obj(p);
        if (port !== undefined) checkAdminPort(ctx, port, `${path}.ports[${j}]`);
      });
    });
  }
}

/** The API server's cross-field rules on a shape-checked policy document. */
export function apiRuleDiagnostics(kind: PolicyKind, document: unknown, positions: Positions): Diagnostic[] {
  const ctx: Ctx = { positions, out: [] };
  const doc = obj(document);
  const spec = obj(doc?.['spec']);
  if (doc === undefined || spec === undefined) return ctx.out;
  if (kind === 'NetworkPolicy') {
    checkNetworkPolicy(ctx, spec);
    return ctx.out;
  }
  const subject = obj(spec['subject']);
  if (subject !== undefined) exactlyOne(ctx, subject, ['namespaces', 'pods'], 'spec.subject');
  checkAdminRules(ctx, spec);
  const meta = obj(doc['metadata']);
  if (kind === 'BaselineAdminNetworkPolicy' && meta !== undefined && typeof meta['name'] === 'string' && meta['name'] !== 'default') {
    report(ctx, positions.of(meta, 'name'), `metadata.name: found "${meta['name']}", expected \`default\` (only one BaselineAdminNetworkPolicy, named default, is admitted)`);
  }
  return ctx.out;
}
