// A readable walk through the policies for one connection: for each side, which policies of the pod's
// namespace select it and for which direction, and for each rule which peer and port matched or not.

import type { DirectionVerdict, EvaluateOptions, PolicyTrace, RuleTrace, Verdict } from './evaluate.ts';
import { endpointLabel, type Connection } from './types.ts';

function mark(ok: boolean): string {
  return ok ? '✓' : '✗';
}

function ruleLines(dir: DirectionVerdict, r: RuleTrace): string[] {
  const field = dir.direction === 'ingress' ? 'from' : 'to';
  const out = [`    rule ${dir.direction}[${r.index}]: ${r.allows ? 'ALLOWS' : 'does not match'}`];
  if (r.peers === undefined) out.push(`      ${mark(true)} ${field}: any peer (no ${field} list)`);
  else for (const p of r.peers) out.push(`      ${mark(p.matched)} ${field}: ${p.text}`);
  out.push(`      ${mark(r.portMatched)} ports: ${r.ports}`);
  return out;
}

function policyLines(dir: DirectionVerdict, p: PolicyTrace): string[] {
  const types = `policyTypes [${p.types.join(', ')}]${p.typesDefaulted ? ' (defaulted)' : ''}`;
  const out: string[] = [];
  if (!p.selectsPod) {
    out.push(`  - ${p.policy}: does not select the pod (podSelector ${p.podSelector})`);
  } else if (!p.isolates) {
    out.push(`  - ${p.policy}: selects the pod (podSelector ${p.podSelector}) but ${types} has no ${dir.direction}`);
  } else {
    const n = p.rules.length;
    out.push(
      `  - ${p.policy}: selects the pod (podSelector ${p.podSelector}), ${types}: isolates ${dir.direction}` +
        (n === 0 ? `; no ${dir.direction} rules, so it allows nothing` : `; ${n} rule${n === 1 ? '' : 's'}`),
    );
    for (const r of p.rules) out.push(...ruleLines(dir, r));
  }
  for (const problem of p.problems) out.push(`    ! ${problem}`);
  return out;
}

function directionLines(title: string, dir: DirectionVerdict): string[] {
  const out = [`${title}: ${dir.allowed ? 'ALLOWED' : 'DENIED'} (${dir.reason})`];
  const tiers = dir.adminTrace;
  if (tiers !== undefined) out.push(...tiers.admin.map((l) => `  ${l}`), '  NetworkPolicy tier:');
  const nps = (dir.trace ?? []).flatMap((p) => policyLines(dir, p));
  out.push(...(tiers !== undefined ? nps.map((l) => `  ${l}`) : nps));
  if (tiers !== undefined) {
    if (nps.length === 0) out.push('    no NetworkPolicy in the namespace');
    out.push(...tiers.baseline.map((l) => `  ${l}`));
  }
  return out;
}

/** Renders a verdict evaluated with `{ trace: true }`. */
export function renderExplanation(conn: Connection, verdict: Verdict): string {
  const from = endpointLabel(conn.source);
  const to = endpointLabel(conn.destination);
  const portText =
    typeof conn.port === 'number'
      ? String(conn.port)
      : `${conn.port.name}${verdict.port === undefined ? '' : ` (= ${verdict.port})`}`;
  const lines = [`${from} -> ${to} port ${portText}/${verdict.protocol}`, ''];
  lines.push(...directionLines(`egress of ${from}`, verdict.egress), '');
  lines.push(...directionLines(`ingress of ${to}`, verdict.ingress), '');
  if (verdict.error !== undefined) lines.push(`error: ${verdict.error}`);
  const decided = verdict.policies.length > 0 ? ` (deciding: ${verdict.policies.join(', ')})` : '';
  lines.push(`verdict: ${verdict.allowed ? 'ALLOWED' : 'DENIED'}${decided}`);
  return lines.join('\n');
}

/** Evaluates with a trace and renders it. */
export function explain(engine: { evaluate(conn: Connection, options?: EvaluateOptions): Verdict }, conn: Connection): string {
  return renderExplanation(conn, engine.evaluate(conn, { trace: true }));
}
