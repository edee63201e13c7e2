// TAP version 13, which both tap-parser and Perl's `prove` (TAP::Harness 3.x knows no later version) read:
// one test point per result, in report order, described as `suite: name`.
// A leak or broken path is `not ok`; so is an inconclusive result, with no directive: `# TODO` would make
// TAP consumers count it as passing (a failing TODO is expected) and `# SKIP` is an `ok`, and an
// undecided run must not read as a pass. Every non-pass carries a YAML diagnostics block with status,
// outcome, detail and the reproduce command.
import { stringify } from 'yaml';
import type { Report, Result } from '../verdict/model.ts';
import { countsText, target } from './common.ts';
import { oneLine, visible } from './text.ts';

/** A test point description: one line, `#` and `\` escaped so nothing reads as a directive. */
export function tapDescription(text: string): string {
  return oneLine(text).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function diagnostics(r: Result): Record<string, unknown> {
  const d: Record<string, unknown> = {
    status: r.status,
    expect: r.expect,
    observed: r.observed,
    outcome: r.outcome,
    ...(r.httpStatus === undefined ? {} : { httpStatus: r.httpStatus }),
    detail: visible(r.detail),
    ...(r.decideBy === undefined ? {} : { decideBy: visible(r.decideBy) }),
    source: visible(r.source),
    destination: visible(target(r)),
  };
  if (r.predicted !== undefined) d.predicted = r.predicted;
  if (r.policies !== undefined) d.policies = r.policies.map(visible);
  if (r.reproduce !== undefined) d.reproduce = visible(r.reproduce);
  d.at = visible(r.location);
  d.attempts = r.attempts;
  d.durationMs = r.durationMs;
  return d;
}

/**
 * A YAML diagnostics block. Every string double-quoted on one line, line breaks as `\n`: prove's YAMLish
 * reader takes no block scalars and no multi-line quoted strings.
 */
export function yamlBlock(data: Record<string, unknown>): string[] {
  const body = stringify(data, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', doubleQuotedAsJSON: true }).trimEnd().split('\n');
  return ['  ---', ...body.map((l) => `  ${l}`), '  ...'];
}

export function render(report: Report): string {
  const out = ['TAP version 13', `1..${report.results.length}`];
  report.results.forEach((r, i) => {
    const ok = r.status === 'pass';
    out.push(`${ok ? 'ok' : 'not ok'} ${i + 1} - ${tapDescription(`${r.suite}: ${r.name}`)}`);
    if (!ok) out.push(...yamlBlock(diagnostics(r)));
  });
  out.push(`# netprobe: ${countsText(report.summary)}`);
  return `${out.join('\n')}\n`;
}
