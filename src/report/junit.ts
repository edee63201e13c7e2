// JUnit XML, as CI viewers (GitLab, Jenkins, GitHub test-report actions) read it: one <testsuite> per
// source workload, one <testcase> per result (classname = namespace.workload, so Jenkins shows a tree of
// namespaces and workloads; name = result name; the suite is a property). A leak or broken path is a
// <failure type="leak|broken">; an inconclusive result is an <error type="inconclusive">, so viewers count
// it against the run, never as a pass (a <skipped> would read as neutral). Control characters, which
// XML 1.0 cannot carry at all, appear as visible escapes such as \x1b.
import type { Report, Result } from '../verdict/model.ts';
import { elapsedSeconds, expectVsObserved, groupBy, nodeOf, path, sourceWorkload, splitLocation } from './common.ts';
import { visible } from './text.ts';

/**
 * Escapes text for an XML attribute value in double quotes; line breaks and tabs survive as references.
 * Hand-written, not fast-xml-parser's XMLBuilder: it leaves a raw line break in an attribute (a parser folds
 * it into a space) and a control character raw (not well-formed XML 1.0); both checked with its 5.x.
 */
export function xmlAttr(text: string): string {
  return visible(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** Escapes text for XML character data (`]]>` cannot form, since `>` is escaped). */
export function xmlText(text: string): string {
  return visible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  time: number;
}

function count(results: readonly Result[]): Counts {
  let failures = 0;
  let errors = 0;
  let time = 0;
  for (const r of results) {
    if (r.status === 'leak' || r.status === 'broken') failures += 1;
    if (r.status === 'inconclusive') errors += 1;
    time += r.durationMs;
  }
  return { tests: results.length, failures, errors, time };
}

function message(r: Result): string {
  const why = r.detail === '' ? '' : `: ${r.detail.split(/\r\n|\r|\n/)[0] ?? ''}`;
  return `${r.status}: ${expectVsObserved(r)}${why}`;
}

function body(r: Result): string {
  const out = [path(r), expectVsObserved(r), `why: ${r.detail}`];
  if (r.decideBy !== undefined) out.push(`to decide: ${r.decideBy}`);
  if (r.predicted !== undefined) out.push(`predicted: ${r.predicted}; policies: ${(r.policies ?? []).join(', ') || 'none'}`);
  if (r.reproduce !== undefined) out.push(`reproduce: ${r.reproduce}`);
  out.push(`at: ${r.location}`);
  return out.join('\n');
}

/**
 * `namespace.workload` of the source: viewers that split classnames at dots (Jenkins) show namespaces,
 * then workloads. Dots inside either part become `_`, so they add no level; no namespace is `outside`.
 */
export function sourceClassname(r: Result): string {
  const e = nodeOf(r.source, r.sourceNamespace);
  return `${e.ns === '' ? 'outside' : e.ns.replace(/\./g, '_')}.${e.label.replace(/\./g, '_')}`;
}

function testcase(r: Result, indent: string): string[] {
  const loc = splitLocation(r.location);
  const open = `${indent}<testcase${attrs({ classname: sourceClassname(r), name: r.name, time: seconds(r.durationMs), file: loc.file, line: loc.line })}>`;
  const props: Record<string, string | undefined> = {
    suite: r.suite,
    source: r.source,
    destination: r.destination,
    port: r.port,
    protocol: r.protocol,
    expect: r.expect,
    observed: r.observed,
    outcome: r.outcome,
    status: r.status,
    httpStatus: r.httpStatus === undefined ? undefined : String(r.httpStatus),
    decideBy: r.decideBy,
    reproduce: r.reproduce,
    tags: r.tags.length === 0 ? undefined : r.tags.join(','),
  };
  const out = [open, `${indent}  <properties>`];
  for (const [name, value] of Object.entries(props)) {
    if (value !== undefined) out.push(`${indent}    <property${attrs({ name, value })}/>`);
  }
  out.push(`${indent}  </properties>`);
  if (r.status !== 'pass') {
    const element = r.status === 'inconclusive' ? 'error' : 'failure';
    out.push(`${indent}  <${element}${attrs({ type: r.status, message: message(r) })}>${xmlText(body(r))}</${element}>`);
  }
  out.push(`${indent}</testcase>`);
  return out;
}

export function render(report: Report): string {
  const all = count(report.results);
  const total = elapsedSeconds(report.run.startedAt, report.run.finishedAt);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'netprobe', tests: all.tests, failures: all.failures, errors: all.errors, skipped: 0, time: total === undefined ? seconds(all.time) : total.toFixed(3), timestamp: report.run.startedAt })}>`,
  ];
  for (const [workload, results] of groupBy(report.results, sourceWorkload)) {
    const c = count(results);
    out.push(`  <testsuite${attrs({ name: workload, tests: c.tests, failures: c.failures, errors: c.errors, skipped: 0, time: seconds(c.time), timestamp: report.run.startedAt })}>`);
    const runProps = { 'netprobe.run': report.run.id, 'netprobe.command': report.run.command, 'netprobe.cluster': report.run.cluster, 'netprobe.context': report.run.context };
    out.push('    <properties>');
    for (const [name, value] of Object.entries(runProps)) {
      if (value !== undefined) out.push(`      <property${attrs({ name, value })}/>`);
    }
    out.push('    </properties>');
    for (const r of results) out.push(...testcase(r, '    '));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
