// The JSON report: the results model as it is, keys in a fixed order (documented fields first, in the
// order of docs/report-format.md; any field added to the model later follows, never dropped).
import type { Report, Result } from '../verdict/model.ts';

const RUN_KEYS = ['id', 'command', 'startedAt', 'finishedAt', 'cluster', 'context'] as const;
const SUMMARY_KEYS = ['total', 'pass', 'leak', 'broken', 'inconclusive'] as const;
const RESULT_KEYS = [
  'name', 'expectation', 'suite', 'location', 'source', 'destination', 'sourceNamespace', 'destinationNamespace',
  'port', 'protocol', 'expect',
  'observed', 'outcome', 'status', 'httpStatus', 'durationMs', 'attempts', 'detail', 'decideBy', 'reproduce', 'tags',
  'predicted', 'policies',
] as const satisfies readonly (keyof Result)[];

function ordered(value: object, keys: readonly string[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  for (const [key, v] of Object.entries(source)) if (!(key in out) && v !== undefined) out[key] = v;
  return out;
}

export interface JsonOptions {
  /** Spaces to indent by; 0 writes one line. Default 2. */
  indent?: number;
}

export function render(report: Report, options: JsonOptions = {}): string {
  const doc = {
    ...ordered(report, ['schemaVersion', 'run', 'summary', 'results', 'findings']),
    run: ordered(report.run, RUN_KEYS),
    summary: ordered(report.summary, SUMMARY_KEYS),
    results: report.results.map((r) => ordered(r, RESULT_KEYS)),
    ...(report.findings !== undefined ? { findings: report.findings.map((f) => ordered(f, ['pattern', 'message', 'results'])) } : {}),
  };
  return `${JSON.stringify(doc, null, options.indent ?? 2)}\n`;
}
