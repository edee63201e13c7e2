// Markdown for a GitHub step summary ($GITHUB_STEP_SUMMARY) or a PR comment: a headline with the counts,
// a table of the non-passes (leaks, broken, inconclusive), how to reproduce each, and the passes folded
// into <details>. Cell text is escaped so `|`, line breaks, HTML and Markdown in results cannot break
// the table or inject markup.
import type { Report, Result } from '../verdict/model.ts';
import { countsText, expectVsObserved, PROBLEM_ORDER, verdictOf, withStatus } from './common.ts';
import { visible } from './text.ts';

/** Escapes text for a table cell: HTML and Markdown specials, `|`, and line breaks as `<br>`. */
export function mdCell(text: string): string {
  return visible(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]~|#!]/g, (ch) => `\\${ch}`)
    .replace(/\r\n|\r|\n/g, '<br>')
    .replace(/\t/g, ' ');
}

/** A fenced code block that the content cannot close early. */
export function mdCode(text: string): string {
  const longest = Math.max(2, ...[...visible(text).matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}sh\n${visible(text)}\n${fence}`;
}

const BADGE: Record<Result['status'], string> = {
  leak: '🔴 leak',
  broken: '🟠 broken',
  inconclusive: '🟡 inconclusive',
  pass: '🟢 pass',
};

/** The detail, and for an inconclusive result the step that would decide it. */
function whyCell(r: Result): string {
  return r.decideBy === undefined ? mdCell(r.detail) : `${mdCell(r.detail)}<br>**To decide:** ${mdCell(r.decideBy)}`;
}

const HEADLINE = { failed: '❌ netprobe: failed', undecided: '⚠️ netprobe: undecided', passed: '✅ netprobe: passed' };

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/**
 * GitHub refuses a step summary over 1 MiB (1,048,576 bytes); the budget leaves room for other steps'
 * summaries in the same job, which share the file.
 */
export const MARKDOWN_LIMIT = 1_000_000;

function head(report: Report): string[] {
  const s = report.summary;
  const out = [`### ${HEADLINE[verdictOf(s)]}`, '', `**${s.leak}** ${s.leak === 1 ? 'leak' : 'leaks'} · **${s.broken}** broken · **${s.inconclusive}** inconclusive · **${s.pass}** passed · ${s.total} total`];
  const where = [report.run.context && `context ${mdCell(report.run.context)}`, `run ${mdCell(report.run.id)}`]
    .filter(Boolean)
    .join(' · ');
  out.push('', `<sub>${where}</sub>`);
  // Run-level patterns (a plugin that does not enforce, one direction missing...) explain many rows at
  // once: they go before the rows, as in a terminal they follow the report.
  for (const f of report.findings ?? []) {
    const shown = f.results.slice(0, 5).map(mdCell).join(', ');
    const more = f.results.length > 5 ? `, and ${f.results.length - 5} more` : '';
    out.push('', `> **Finding (${mdCell(f.pattern)})**: ${mdCell(f.message)}<br><sub>seen in: ${shown}${more}</sub>`);
  }
  return out;
}

function problemRow(r: Result): string {
  return row([BADGE[r.status], `${mdCell(r.name)}<br><sub>${mdCell(r.suite)} · ${mdCell(r.location)}</sub>`, mdCell(r.source), mdCell(`${r.destination}:${r.port}/${r.protocol}`), mdCell(expectVsObserved(r)), whyCell(r)]);
}

function problemTable(rows: readonly string[]): string[] {
  return rows.length === 0 ? [] : ['', row(['Status', 'Expectation', 'From', 'To', 'Expected / observed', 'Why']), row(Array(6).fill('---')), ...rows];
}

function reproduceSection(problems: readonly Result[]): string[] {
  const reproducible = problems.filter((r) => r.reproduce !== undefined);
  if (reproducible.length === 0) return [];
  const out = ['', '<details><summary>Reproduce by hand</summary>', ''];
  for (const r of reproducible) out.push(`**${mdCell(r.name)}** (${r.status})`, '', mdCode(r.reproduce ?? ''), '');
  out.push('</details>');
  return out;
}

function passesSection(passes: readonly Result[]): string[] {
  if (passes.length === 0) return [];
  const out = ['', `<details><summary>${passes.length} passed</summary>`, '', row(['Expectation', 'From', 'To', 'Expected / observed']), row(Array(4).fill('---'))];
  for (const r of passes) out.push(row([mdCell(r.name), mdCell(r.source), mdCell(`${r.destination}:${r.port}/${r.protocol}`), mdCell(expectVsObserved(r))]));
  out.push('', '</details>');
  return out;
}

const bytes = (lines: readonly string[]): number => Buffer.byteLength(`${lines.join('\n')}\n`);

/**
 * The summary; over `limit` bytes it sheds, in this order, until it fits: the list of passes (their count
 * stays), the reproduce commands, then the rows of the last non-passes (inconclusive before broken
 * before leaks), and says what it cut. The full report is the JSON or the HTML page.
 */
export function render(report: Report, limit: number = MARKDOWN_LIMIT): string {
  const problems = PROBLEM_ORDER.flatMap((status) => withStatus(report, status));
  const passes = withStatus(report, 'pass');
  const foot = ['', `<sub>${mdCell(countsText(report.summary))}</sub>`];
  const rows = problems.map(problemRow);
  const attempts = [
    [...head(report), ...problemTable(rows), ...reproduceSection(problems), ...passesSection(passes)],
    [...head(report), ...problemTable(rows), ...reproduceSection(problems), ...cutNote(`the list of the ${passes.length} passes`)],
    [...head(report), ...problemTable(rows), ...cutNote(`the list of the ${passes.length} passes and the reproduce commands`)],
  ];
  for (const lines of attempts) if (bytes([...lines, ...foot]) <= limit) return `${[...lines, ...foot].join('\n')}\n`;
  return `${fitRows(head(report), rows, foot, limit).join('\n')}\n`;
}

function cutNote(what: string): string[] {
  return ['', `> Cut to stay under GitHub's 1 MiB step-summary limit: ${what}. Every result is in the JSON report (\`-o json=FILE\`) and the HTML page (\`-o html=FILE\`).`];
}

/** As many problem rows as fit, worst first, and a note of how many were cut. */
function fitRows(top: readonly string[], rows: readonly string[], foot: readonly string[], limit: number): string[] {
  const noteFor = (kept: number): string[] => cutNote(`${rows.length - kept} of the ${rows.length} rows of leaks, broken and inconclusive results (the last ones), the list of passes and the reproduce commands`);
  let size = bytes([...top, ...problemTable(['']), ...noteFor(0), ...foot]);
  let kept = 0;
  for (const r of rows) {
    size += Buffer.byteLength(`${r}\n`);
    if (size > limit) break;
    kept += 1;
  }
  return [...top, ...problemTable(rows.slice(0, kept)), ...noteFor(kept), ...foot];
}
