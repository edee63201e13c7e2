// `netprobe report diff` in every report format. Each format shows the same thing: the verdict (worse,
// undecided, not worse), the changes counted by kind, and each change with its before and now (status,
// observed, outcome) and why. Both reports are redacted before anything is compared or shown.
import { redactDeep } from '../util/redact.ts';
import type { Report, Result } from '../verdict/model.ts';
import { outcomeText, path } from './common.ts';
import { countChanges, diffReports, diffVerdict, isWorse, type Change, type ChangeKind, type ReportDiff } from './diff.ts';
import { annotation } from './github.ts';
import { escapeHtml } from './html.ts';
import { xmlAttr, xmlText } from './junit.ts';
import { mdCell } from './markdown.ts';
import type { Format } from './render.ts';
import { tapDescription, yamlBlock } from './tap.ts';
import { oneLine, visible } from './text.ts';

export const DIFF_SCHEMA_VERSION = 'netprobe.dev/report-diff/v1';

const TITLE: Record<ChangeKind, string> = {
  'new-leak': 'new leak',
  'new-broken': 'new broken',
  'newly-inconclusive': 'newly inconclusive',
  fixed: 'fixed',
  'status-changed': 'status changed',
  'evidence-changed': 'evidence changed',
  added: 'added',
  removed: 'removed',
};

const REASON = { worse: ' (new leaks or broken paths)', undecided: ' (proof lost, no new failure)', 'not-worse': '' };
const HEADLINE = { worse: `worse${REASON.worse}`, undecided: `undecided${REASON.undecided}`, 'not-worse': 'not worse' };

/** `leak (allowed, connected)`, or `-` for the side a change does not have. */
function state(r: Result | undefined): string {
  return r === undefined ? '-' : `${r.status} (${r.observed}, ${outcomeText(r)})`;
}

function subject(c: Change): Result {
  return (c.after ?? c.before) as Result;
}

/** `2 new leaks, 1 fixed, ...; 10 unchanged`: only the kinds that occur. */
export function diffCountsText(diff: ReportDiff): string {
  const counts = countChanges(diff);
  const parts = (Object.keys(counts) as ChangeKind[]).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${TITLE[k]}`);
  return `${parts.length === 0 ? 'no changes' : parts.join(', ')}; ${diff.unchanged} unchanged`;
}

function renderText(diff: ReportDiff, unicode: boolean): string {
  const arrow = unicode ? '→' : '->';
  const out = [`netprobe report diff: ${diffVerdict(diff).replace('-', ' ').toUpperCase()}${REASON[diffVerdict(diff)]}`, `old ${diff.old.id} (${diff.old.startedAt}) ${arrow} new ${diff.new.id} (${diff.new.startedAt})`, diffCountsText(diff)];
  for (const c of diff.changes) {
    const r = subject(c);
    out.push('', `${TITLE[c.kind].toUpperCase()}  ${oneLine(c.name)} [${oneLine(r.suite)}]`, `  ${oneLine(path(r, unicode))}, expected ${r.expect}`);
    out.push(`  before: ${state(c.before)}`, `  now:    ${state(c.after)}`);
    if (c.after !== undefined && c.after.detail !== '') out.push(`  why: ${oneLine(c.after.detail)}`);
  }
  return `${out.join('\n')}\n`;
}

function renderJson(diff: ReportDiff): string {
  const doc = { schemaVersion: DIFF_SCHEMA_VERSION, verdict: diffVerdict(diff), old: diff.old, new: diff.new, counts: countChanges(diff), unchanged: diff.unchanged, changes: diff.changes };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function renderMarkdown(diff: ReportDiff): string {
  const icon = { worse: '❌', undecided: '⚠️', 'not-worse': '✅' }[diffVerdict(diff)];
  const out = [`### ${icon} netprobe diff: ${HEADLINE[diffVerdict(diff)]}`, '', mdCell(diffCountsText(diff)), '', `<sub>run ${mdCell(diff.old.id)} → run ${mdCell(diff.new.id)}</sub>`];
  if (diff.changes.length > 0) {
    out.push('', '| Change | Expectation | Path | Before | Now |', '| --- | --- | --- | --- | --- |');
    for (const c of diff.changes) out.push(`| ${TITLE[c.kind]} | ${mdCell(c.name)} | ${mdCell(path(subject(c)))} | ${mdCell(state(c.before))} | ${mdCell(state(c.after))} |`);
  }
  return `${out.join('\n')}\n`;
}

function renderJunit(diff: ReportDiff): string {
  const failures = diff.changes.filter(isWorse).length;
  const errors = diff.changes.filter((c) => c.kind === 'newly-inconclusive').length;
  const head = `name="netprobe report diff" tests="${diff.changes.length}" failures="${failures}" errors="${errors}" skipped="0"`;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites ${head}>`, `  <testsuite ${head.replace('netprobe report diff', xmlAttr(`${diff.old.id} -> ${diff.new.id}`))}>`];
  for (const c of diff.changes) {
    const body = `before: ${state(c.before)}\nnow: ${state(c.after)}\n${path(subject(c), false)}`;
    out.push(`    <testcase classname="${xmlAttr(TITLE[c.kind])}" name="${xmlAttr(c.name)}">`);
    if (isWorse(c)) out.push(`      <failure type="${c.kind}" message="${xmlAttr(`${TITLE[c.kind]}: ${state(c.after)}`)}">${xmlText(body)}</failure>`);
    else if (c.kind === 'newly-inconclusive') out.push(`      <error type="${c.kind}" message="${xmlAttr(state(c.after))}">${xmlText(body)}</error>`);
    else out.push(`      <system-out>${xmlText(body)}</system-out>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

function renderTap(diff: ReportDiff): string {
  const out = ['TAP version 13', `1..${diff.changes.length}`];
  diff.changes.forEach((c, i) => {
    const bad = isWorse(c) || c.kind === 'newly-inconclusive';
    out.push(`${bad ? 'not ok' : 'ok'} ${i + 1} - ${tapDescription(`${TITLE[c.kind]}: ${c.name}`)}`);
    if (!bad) return;
    out.push(...yamlBlock({ change: c.kind, before: state(c.before), now: state(c.after), path: visible(path(subject(c), false)) }));
  });
  out.push(`# netprobe report diff: ${oneLine(diffCountsText(diff))}`);
  return `${out.join('\n')}\n`;
}

function renderHtml(diff: ReportDiff): string {
  const verdict = diffVerdict(diff);
  const rows = diff.changes.map((c) => {
    const cells = [TITLE[c.kind], c.name, path(subject(c)), state(c.before), state(c.after), c.after?.detail ?? ''];
    return `<tr class="${c.kind}${isWorse(c) ? ' worse' : ''}">${cells.map((x) => `<td>${escapeHtml(visible(x))}</td>`).join('')}</tr>`;
  });
  const style = 'body{font:14px/1.4 system-ui,sans-serif;margin:16px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}.worse td:first-child{color:#c62828;font-weight:600}.fixed td:first-child{color:#2e7d32;font-weight:600}';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>netprobe diff: ${escapeHtml(HEADLINE[verdict])}</title><style>${style}</style></head>
<body><h1 id="verdict" data-verdict="${verdict}">netprobe diff: ${escapeHtml(HEADLINE[verdict])}</h1>
<p id="counts">${escapeHtml(diffCountsText(diff))}</p><p>run ${escapeHtml(diff.old.id)} → run ${escapeHtml(diff.new.id)}</p>
<table id="changes"><thead><tr><th>change</th><th>expectation</th><th>path</th><th>before</th><th>now</th><th>why</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>
`;
}

/** An annotation per change that makes the run worse or loses proof, at the expectation's line. */
function renderGithub(diff: ReportDiff): string {
  const lines = diff.changes.filter((c) => isWorse(c) || c.kind === 'newly-inconclusive').flatMap((c) => (c.after === undefined ? [] : (annotation(c.after, TITLE[c.kind]) ?? [])));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Step outputs: `verdict` (worse, undecided, not-worse), one count per kind of change, `unchanged`. */
function renderGithubOutputs(diff: ReportDiff): string {
  const counts = Object.entries(countChanges(diff)).map(([kind, n]) => `${kind}=${n}\n`);
  return `verdict=${diffVerdict(diff)}\n${counts.join('')}unchanged=${diff.unchanged}\n`;
}

/** The diff of two reports in `format`; `unicode` applies to the table (arrows). */
export function renderDiff(format: Format, older: Report, newer: Report, unicode = true): string {
  const diff = diffReports(redactDeep(older), redactDeep(newer));
  switch (format) {
    case 'table':
      return renderText(diff, unicode);
    case 'json':
      return renderJson(diff);
    case 'junit':
      return renderJunit(diff);
    case 'tap':
      return renderTap(diff);
    case 'markdown':
      return renderMarkdown(diff);
    case 'html':
      return renderHtml(diff);
    case 'github':
      return renderGithub(diff);
    case 'github-output':
      return renderGithubOutputs(diff);
  }
}
