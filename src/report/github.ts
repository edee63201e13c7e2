// GitHub Actions, from any workflow: `-o github` writes workflow commands (one annotation per leak and
// broken path as ::error, per inconclusive result as ::warning, at the expectation's own file:line:col, so
// GitHub pins it to that line of the suite); `-o github-output=$GITHUB_OUTPUT` writes the step's outputs
// (counts per status, the verdict) as name=value lines. Passes make no annotation: a clean run is silent.
// The GitHub Action (action.yml) only wires these to the runner; any workflow can use them directly.
import type { Report, Result, Status } from '../verdict/model.ts';
import { expectVsObserved, path, PROBLEM_ORDER, splitLocation, verdictOf, withStatus } from './common.ts';
import { visible } from './text.ts';

/**
 * Escapes a workflow command's message, as the runner unescapes it: `%`, CR and LF (docs: "workflow
 * commands", and the runner's ActionCommand escaping). Control characters become visible first.
 */
export function ghData(text: string): string {
  return visible(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value (file, title): the message's rules, and `:` and `,`, which end a property. */
export function ghProperty(text: string): string {
  return ghData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const LEVEL: Record<Status, 'error' | 'warning' | undefined> = { leak: 'error', broken: 'error', inconclusive: 'warning', pass: undefined };

/** `file=F,line=N,col=M` from the result's `file:line:col`; only `file=` when it has no line. */
function where(r: Result): string {
  const at = splitLocation(r.location);
  if (at.file === '') return '';
  const pos = at.line === undefined ? '' : `,line=${at.line},col=${at.column ?? 1}`;
  return `file=${ghProperty(at.file)}${pos},`;
}

/**
 * One annotation: the title says the status (or `label`, e.g. `new leak` in a diff) and the expectation,
 * the message the path and why. Undefined for a pass.
 */
export function annotation(r: Result, label: string = r.status): string | undefined {
  const level = LEVEL[r.status];
  if (level === undefined) return undefined;
  const message = [`${path(r, false)}: ${expectVsObserved(r)}`, r.detail, r.decideBy === undefined ? '' : `To decide: ${r.decideBy}`]
    .filter((line) => line !== '')
    .join('\n');
  return `::${level} ${where(r)}title=${ghProperty(`netprobe ${label}: ${r.name}`)}::${ghData(message)}`;
}

/** Every annotation, worst first (leaks, broken, inconclusive), each on its own line. */
export function render(report: Report): string {
  const lines = PROBLEM_ORDER.flatMap((status) => withStatus(report, status)).flatMap((r) => annotation(r) ?? []);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Step outputs: `total`, one count per status, `verdict` (passed, failed, undecided) and `run-id`. */
export function renderOutputs(report: Report): string {
  const s = report.summary;
  const values: [string, string | number][] = [
    ['verdict', verdictOf(s)],
    ['total', s.total],
    ['pass', s.pass],
    ['leak', s.leak],
    ['broken', s.broken],
    ['inconclusive', s.inconclusive],
    ['run-id', oneLineValue(report.run.id)],
  ];
  return values.map(([name, value]) => `${name}=${value}\n`).join('');
}

/** A value for a name=value line: one line, so it cannot add an output of its own. */
function oneLineValue(text: string): string {
  return visible(text).replace(/[\r\n]+/g, ' ');
}
