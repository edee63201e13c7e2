// The reachability truth table between the pods of some namespaces, on the ports they declare: rows are
// source identities, columns destination identity x port. Built as a suite of `deny` expectations so the
// engine's truthful verdict does the work: a leak is "allowed", a pass is "denied" (target shown alive),
// anything else is "unknown". Pure: suite text in, table and JSON out.
import type { ClusterSnapshot } from '../model/cluster.ts';
import { REPORT_SCHEMA_VERSION, summarize, type Report, type Result } from '../verdict/model.ts';
import { EndpointNames, exactSelector, groupName, labelText, noServingPods, NothingToProbeError, podGroups, renderSuite, type ExpectationYaml, type L4Name, type PeerYaml } from './common.ts';

export type Cell = 'allowed' | 'denied' | 'unknown' | 'self';

export interface MatrixRow {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

export interface MatrixColumn extends MatrixRow {
  port: number;
  protocol: L4Name;
}

export interface MatrixPlan {
  yaml: string;
  rows: MatrixRow[];
  columns: MatrixColumn[];
  /** Expectation name -> [row, column]. */
  cells: Map<string, [number, number]>;
}

export const MATRIX_SCHEMA_VERSION = 'netprobe.dev/matrix/v1';

/** `declared`: the pods come from manifests (none runs), so every one counts, not only serving ones. */
export function matrixSuite(snapshot: ClusterSnapshot, namespaces: readonly string[], timeoutSeconds = 2, declared = false): MatrixPlan {
  const known = new Set(snapshot.namespaces.map((n) => n.name));
  for (const n of namespaces) if (!known.has(n)) throw new Error(`namespace ${n} does not exist`);
  const groups = podGroups(snapshot.pods, declared ? () => true : undefined).filter((g) => namespaces.includes(g.namespace));
  if (groups.length === 0) throw new NothingToProbeError(`${noServingPods(snapshot.pods, namespaces)}: nothing to probe (a matrix probes between serving pods)`);
  const names = new EndpointNames();
  const endpoints: Record<string, PeerYaml> = {};
  const rows: MatrixRow[] = groups.map((g) => {
    const name = names.take(groupName(g));
    endpoints[name] = { namespace: g.namespace, podSelector: exactSelector(g, groups) };
    return { name, namespace: g.namespace, labels: g.labels };
  });
  const columns: MatrixColumn[] = [];
  const colGroup: number[] = [];
  groups.forEach((g, gi) => {
    for (const p of g.ports) {
      columns.push({ ...rows[gi]!, port: p.port, protocol: p.protocol });
      colGroup.push(gi);
    }
  });
  const expectations: ExpectationYaml[] = [];
  const cells = new Map<string, [number, number]>();
  rows.forEach((r, ri) => {
    columns.forEach((c, ci) => {
      if (colGroup[ci] === ri) return;
      const name = `${r.name} -> ${c.name}:${c.port}/${c.protocol}`;
      cells.set(name, [ri, ci]);
      expectations.push({ name, tags: ['matrix'], from: r.name, to: c.name, ports: [c.port], protocol: c.protocol, expect: 'deny' });
    });
  });
  if (expectations.length === 0) throw new NothingToProbeError(nothingBetween(groups, namespaces));
  const yaml = renderSuite({
    name: 'matrix',
    description: `Reachability between the pods of ${namespaces.join(', ')} on their declared ports.`,
    header: ['Written by netprobe matrix. Every path is a deny: a leak means reachable, a pass means blocked (target alive).'],
    defaults: { timeoutSeconds, attempts: 1 },
    endpoints,
    expectations,
  });
  return { yaml, rows, columns, cells };
}

/** Serving pods, but no path between two identities on a declared port. */
function nothingBetween(groups: readonly { namespace: string; labels: Record<string, string> }[], namespaces: readonly string[]): string {
  const where = namespaces.join(', ');
  if (groups.length === 1) return `only one pod identity in ${where} (${groups[0]!.namespace}/${labelText(groups[0]!.labels)}): nothing to probe between identities`;
  return `none of the ${groups.length} pod identities in ${where} declares a container port: nothing to probe (a matrix probes the ports pods declare)`;
}

/** Results -> the table's cells (rows x columns). */
export function matrixCells(plan: MatrixPlan, results: readonly Result[]): { cells: Cell[][]; details: Record<string, string> } {
  const cells: Cell[][] = plan.rows.map(() => plan.columns.map((): Cell => 'self'));
  const details: Record<string, string> = {};
  for (const r of results) {
    const at = plan.cells.get(r.expectation);
    if (at === undefined) continue;
    const cell: Cell = r.status === 'leak' ? 'allowed' : r.status === 'pass' ? 'denied' : 'unknown';
    cells[at[0]]![at[1]] = cell;
    if (cell === 'unknown') details[r.expectation] = r.detail;
  }
  return { cells, details };
}

const SYMBOL: Record<Cell, [string, string]> = { allowed: ['✓', 'Y'], denied: ['·', '.'], unknown: ['?', '?'], self: ['=', '='] };

/** The table: one row per source, one numbered column per destination port, a legend below. */
/** `offline`: the cells are what the policies imply (netprobe matrix --policies), and the legend says so. */
export function renderMatrixTable(plan: MatrixPlan, cells: readonly Cell[][], details: Record<string, string>, ascii = false, offline = false): string {
  const width = Math.max(4, ...plan.rows.map((r) => r.name.length));
  const colW = Math.max(2, String(plan.columns.length).length) + 1;
  const lines: string[] = [];
  lines.push(`${'from \\ to'.padEnd(width)} ${plan.columns.map((_, i) => String(i + 1).padStart(colW)).join('')}`);
  plan.rows.forEach((r, ri) => {
    lines.push(`${r.name.padEnd(width)} ${cells[ri]!.map((c) => SYMBOL[c][ascii ? 1 : 0].padStart(colW)).join('')}`);
  });
  lines.push('');
  plan.columns.forEach((c, i) => lines.push(`${String(i + 1).padStart(colW)}  ${c.name}:${c.port}/${c.protocol}  (${c.namespace}/${labelText(c.labels)})`));
  lines.push('');
  const meaning = offline ? ['allowed by the policies', 'denied by the policies'] : ['reachable', 'blocked (target shown alive)'];
  lines.push(`${ascii ? 'Y' : '✓'} ${meaning[0]}, ${ascii ? '.' : '·'} ${meaning[1]}, ? unknown, = same identity`);
  const unknown = Object.entries(details);
  if (unknown.length > 0) {
    lines.push('');
    lines.push(`unknown (${unknown.length}):`);
    for (const [name, why] of unknown) lines.push(`  ${name}: ${why}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface MatrixJson {
  schemaVersion: typeof MATRIX_SCHEMA_VERSION;
  run: { id: string; startedAt: string; finishedAt: string; cluster?: string; context?: string };
  namespaces: string[];
  sources: MatrixRow[];
  destinations: MatrixColumn[];
  /** cells[source][destination]: allowed, denied, unknown, or self (same identity, not probed). */
  cells: Cell[][];
  /** Why a cell is unknown, by path name. */
  unknown: Record<string, string>;
}

/**
 * The matrix's probe results as a report, for the HTML page's graph and truth table (which shows them as
 * reachable, blocked and unknown, not as leaks: the matrix expects nothing).
 */
export function matrixReport(run: MatrixJson['run'], results: Result[]): Report {
  return { schemaVersion: REPORT_SCHEMA_VERSION, run: { ...run, command: 'netprobe matrix' }, summary: summarize(results), results };
}
