// Reads a saved JSON report back (for `netprobe report`): checks it against the published schema,
// accepting fields a newer netprobe may have added, and checks that its summary matches its results.
import schema from '../../schema/report.schema.json' with { type: 'json' };
import { summarize, type Report } from '../verdict/model.ts';
import { checkReport } from './schema-check.ts';

/** A saved report that cannot be read; `problems` lists each one as `path: what is wrong`. */
export class ReportFormatError extends Error {
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[]) {
    super(message);
    this.name = 'ReportFormatError';
    this.problems = problems;
  }
}

const MAX_LISTED = 10;

/** Parses and checks the text of a JSON report; `label` (a file name) starts each error message. */
export function parseReport(text: string, label = 'report'): Report {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReportFormatError(`${label}: not valid JSON (${reason})`, [reason]);
  }
  const found = value !== null && typeof value === 'object' ? (value as Record<string, unknown>).schemaVersion : undefined;
  const expected = (schema.properties.schemaVersion as { const: string }).const;
  if (found !== expected) {
    const problem = `schemaVersion: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found) ?? 'nothing'}`;
    throw new ReportFormatError(`${label}: not a netprobe report this version reads (${problem})`, [problem]);
  }
  const problems = checkReport(value, { allowAdditional: true });
  if (problems.length === 0) {
    const report = value as Report;
    const actual = summarize(report.results);
    for (const key of ['total', 'pass', 'leak', 'broken', 'inconclusive'] as const) {
      if (report.summary[key] !== actual[key]) {
        problems.push(`summary.${key}: is ${report.summary[key]} but the results count ${actual[key]}`);
      }
    }
    const seen = new Set<string>();
    report.results.forEach((r, i) => {
      if (seen.has(r.name)) problems.push(`results[${i}].name: ${JSON.stringify(r.name)} appears twice`);
      seen.add(r.name);
    });
    if (problems.length === 0) return report;
  }
  const listed = problems.slice(0, MAX_LISTED).map((p) => `\n  ${p}`).join('');
  const more = problems.length > MAX_LISTED ? `\n  ... and ${problems.length - MAX_LISTED} more` : '';
  throw new ReportFormatError(`${label}: not a valid netprobe report:${listed}${more}`, problems);
}
