// The default report on stdout: leaks, then broken, then inconclusive, each saying why and how to see it
// by hand; then the count of passes and a summary line. Plain text when colour is off, so it reads the
// same in a terminal and in a CI log; no cursor movement ever.
import type { Report, Result } from '../verdict/model.ts';
import { palette, type Palette, type TextStyle } from './color.ts';
import { countsText, elapsedSeconds, expectVsObserved, path, PROBLEM_ORDER, STATUS_MEANING, verdictOf, withStatus, type Problem } from './common.ts';
import { lines, oneLine, truncate, visible, wrap } from './text.ts';

export type TableOptions = Partial<TextStyle>;

const HEADINGS: Record<Problem, string> = { leak: 'LEAK', broken: 'BROKEN', inconclusive: 'INCONCLUSIVE' };
const PLURAL: Record<Problem, string> = { leak: 'Leaks', broken: 'Broken', inconclusive: 'Inconclusive' };

function tint(p: Palette, status: Problem | 'pass'): (text: string) => string {
  if (status === 'leak') return p.red;
  if (status === 'broken') return p.magenta;
  if (status === 'inconclusive') return p.yellow;
  return p.green;
}

function symbol(status: Problem | 'pass', unicode: boolean): string {
  if (status === 'pass') return unicode ? '✓' : 'ok';
  if (status === 'inconclusive') return '?';
  return unicode ? '✗' : 'x';
}

/** Wraps a labelled field; continuation lines and the text's own line breaks keep the indent. */
function field(label: string, text: string, indent: string, width: number, p: Palette, wrapText = true): string[] {
  const head = `${indent}${label}: `;
  const pad = ' '.repeat(head.length);
  const out: string[] = [];
  const room = Math.max(20, width - head.length);
  for (const line of lines(visible(text))) {
    for (const part of wrapText ? wrap(line.replace(/\t/g, ' '), room) : [line]) {
      out.push(`${out.length === 0 ? `${indent}${p.dim(`${label}:`)} ` : pad}${part}`);
    }
  }
  return out;
}

function entry(r: Result, status: Problem, style: TextStyle, p: Palette): string[] {
  const indent = '    ';
  const color = tint(p, status);
  const out = [
    `  ${color(`${symbol(status, style.unicode)} ${HEADINGS[status]}`)} ${p.bold(oneLine(r.name))}  ${p.dim(`(${oneLine(r.suite)})`)}`,
    `${indent}${oneLine(path(r, style.unicode))}`,
    `${indent}${expectVsObserved(r)} · ${r.attempts} ${r.attempts === 1 ? 'attempt' : 'attempts'} · ${r.durationMs} ms`,
  ];
  out.push(...field('why', r.detail === '' ? '(no detail given)' : r.detail, indent, style.width, p));
  if (r.decideBy !== undefined) out.push(...field('to decide', r.decideBy, indent, style.width, p));
  if (r.predicted !== undefined) {
    const policies = r.policies === undefined || r.policies.length === 0 ? 'none' : r.policies.join(', ');
    out.push(...field('policy', `predicted ${r.predicted}; policies: ${policies}`, indent, style.width, p));
  }
  // A command is never wrapped: it must stay copyable.
  if (r.reproduce !== undefined) out.push(...field('reproduce', r.reproduce, indent, style.width, p, false));
  out.push(`${indent}${p.dim(`at ${oneLine(r.location)}`)}`);
  return out;
}

export function render(report: Report, options: TableOptions = {}): string {
  const style: TextStyle = { color: false, width: 100, unicode: true, ...options };
  const p = palette(style.color);
  const out: string[] = [];
  const run = report.run;
  const head = [run.command, `run ${run.id}`, run.context && `context ${run.context}`, run.cluster && `cluster ${run.cluster}`];
  out.push(p.dim(truncate(oneLine(head.filter(Boolean).join(' · ')), style.width)));
  for (const status of PROBLEM_ORDER) {
    const results = withStatus(report, status);
    if (results.length === 0) continue;
    out.push('', tint(p, status)(p.bold(`${PLURAL[status]} (${results.length}): ${STATUS_MEANING[status]}`)));
    for (const r of results) out.push('', ...entry(r, status, style, p));
  }
  const s = report.summary;
  out.push('', `${tint(p, 'pass')(symbol('pass', style.unicode))} ${s.pass} passed`);
  const verdict = verdictOf(s);
  const word = verdict === 'failed' ? p.red('FAILED') : verdict === 'undecided' ? p.yellow('UNDECIDED') : p.green('PASSED');
  const seconds = elapsedSeconds(run.startedAt, run.finishedAt);
  out.push(`${p.bold(word)} ${countsText(s)}${seconds === undefined ? '' : ` in ${seconds.toFixed(1)} s`}`);
  return `${out.join('\n')}\n`;
}
