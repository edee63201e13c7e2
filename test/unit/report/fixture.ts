// The report fixture every reporter test reads: every status, every outcome, tricky text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseReport } from '../../../src/report/load.ts';
import { summarize, type Report, type Result } from '../../../src/verdict/model.ts';

export const FIXTURE_PATH = new URL('../../fixtures/reports/every-status.json', import.meta.url);
export const FIXTURE_FILE = fileURLToPath(FIXTURE_PATH);

export function fixture(): Report {
  return parseReport(readFileSync(FIXTURE_PATH, 'utf8'), 'every-status.json');
}

/** The fixture cut down to the results `keep` accepts, with its summary recounted. */
export function fixtureWith(keep: (r: Result) => boolean): Report {
  const report = fixture();
  const results = report.results.filter(keep);
  return { ...report, results, summary: summarize(results) };
}

/** The fixture with one result's fields replaced. */
export function fixtureChanging(index: number, change: Partial<Result>): Report {
  const report = fixture();
  const results = report.results.map((r, i) => (i === index ? { ...r, ...change } : r));
  return { ...report, results, summary: summarize(results) };
}

/** The message of the error `fn` throws, which must be an instance of `type`. */
export function thrownMessage(fn: () => unknown, type: new (...args: never[]) => Error): string {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`expected a ${type.name}, got ${String(error)}`);
    return error.message;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}
