// Input limits: a small file can ask for millions of checks (lists of sources x destinations x ports),
// and expanding them all would run the process out of memory. The cases are counted before any is
// built, and the expectation that takes the total over the limit is named at its file:line:col.
import type { Expectation, Suite } from './model.ts';
import { type Diagnostic, diagnostic } from './diagnostics.ts';

/**
 * The default cap on cases. 100,000 cases take tens of MB and about two seconds of policy prediction
 * (bench:policy judges 10,000 connections in 0.1-0.2 s); a real suite has hundreds. Raise it with
 * --max-cases.
 */
export const DEFAULT_MAX_CASES = 100_000;

/** How many cases an expectation expands into (see expand.ts), without building them. */
export function caseCount(e: Expectation): number {
  return e.from.length * e.to.length * Math.max(1, e.ports.length);
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * One diagnostic at the expectation whose cases take the total over `maxCases`, or none. The count
 * stops at that expectation: nothing after it is looked at, so the check costs one pass over the suites.
 */
export function caseLimitDiagnostics(suites: readonly Suite[], maxCases: number): Diagnostic[] {
  let total = 0;
  for (const s of suites) {
    for (const e of s.expectations) {
      const n = caseCount(e);
      total += n;
      if (total <= maxCases) continue;
      const shape = `${e.from.length} from x ${e.to.length} to x ${Math.max(1, e.ports.length)} port${e.ports.length > 1 ? 's' : ''}`;
      const before = total - n;
      const sofar = before > 0 ? ` after ${count(before)} cases before it` : '';
      return [
        diagnostic(
          e.pos,
          `expectation expands to ${count(n)} cases (${shape})${sofar}, over the limit of ${count(maxCases)} cases; expected fewer combinations (split the lists, or select with --only), or raise the limit with --max-cases`,
        ),
      ];
    }
  }
  return [];
}
