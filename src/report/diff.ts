// What changed between two saved reports (`netprobe report diff OLD.json NEW.json`). Results are matched
// by name, which is unique within a run. Each change has one kind; the run "got worse" when a path is
// newly a leak or broken (an added expectation that fails counts too), and only "newly inconclusive"
// when proof was lost without a new failure.
import type { Report, Result, Status } from '../verdict/model.ts';

export type ChangeKind =
  | 'new-leak'
  | 'new-broken'
  | 'newly-inconclusive'
  | 'fixed'
  | 'status-changed'
  | 'evidence-changed'
  | 'added'
  | 'removed';

/** In the order changes are listed: the worst news first. */
export const CHANGE_ORDER: readonly ChangeKind[] = ['new-leak', 'new-broken', 'newly-inconclusive', 'fixed', 'status-changed', 'evidence-changed', 'added', 'removed'];

export interface Change {
  kind: ChangeKind;
  name: string;
  before?: Result;
  after?: Result;
}

export interface ReportDiff {
  old: Report['run'];
  new: Report['run'];
  changes: Change[];
  /** Results present in both with nothing changed. */
  unchanged: number;
}

/** Whether the new run is worse: 'failed' on new leaks or broken paths, 'undecided' on lost proof only. */
export type DiffVerdict = 'worse' | 'undecided' | 'not-worse';

const FAILING: readonly Status[] = ['leak', 'broken'];

/** The kind of change from `before` to `after` of one expectation, or undefined when nothing changed. */
export function changeKind(before: Result, after: Result): ChangeKind | undefined {
  if (before.status !== after.status) {
    if (FAILING.includes(after.status)) return after.status === 'leak' ? 'new-leak' : 'new-broken';
    if (after.status === 'pass' && FAILING.includes(before.status)) return 'fixed';
    if (after.status === 'inconclusive' && before.status === 'pass') return 'newly-inconclusive';
    return 'status-changed';
  }
  const evidence = (r: Result): string => `${r.observed} ${r.outcome} ${r.httpStatus ?? ''}`;
  return evidence(before) === evidence(after) ? undefined : 'evidence-changed';
}

export function diffReports(older: Report, newer: Report): ReportDiff {
  const before = new Map(older.results.map((r) => [r.name, r]));
  const seen = new Set<string>();
  const changes: Change[] = [];
  let unchanged = 0;
  for (const after of newer.results) {
    seen.add(after.name);
    const was = before.get(after.name);
    if (was === undefined) {
      changes.push({ kind: 'added', name: after.name, after });
      continue;
    }
    const kind = changeKind(was, after);
    if (kind === undefined) unchanged += 1;
    else changes.push({ kind, name: after.name, before: was, after });
  }
  for (const was of older.results) if (!seen.has(was.name)) changes.push({ kind: 'removed', name: was.name, before: was });
  // A stable sort: within a kind, changes keep the new report's order (removed ones: the old report's).
  changes.sort((a, b) => CHANGE_ORDER.indexOf(a.kind) - CHANGE_ORDER.indexOf(b.kind));
  return { old: older.run, new: newer.run, changes, unchanged };
}

/** Whether a change makes the run worse: a new failure, including an added expectation that fails. */
export function isWorse(c: Change): boolean {
  return c.kind === 'new-leak' || c.kind === 'new-broken' || (c.kind === 'added' && c.after !== undefined && FAILING.includes(c.after.status));
}

export function diffVerdict(diff: ReportDiff): DiffVerdict {
  if (diff.changes.some(isWorse)) return 'worse';
  return diff.changes.some((c) => c.kind === 'newly-inconclusive') ? 'undecided' : 'not-worse';
}

/** Changes counted by kind, every kind present (0 when none). */
export function countChanges(diff: ReportDiff): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_ORDER.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const c of diff.changes) counts[c.kind] += 1;
  return counts;
}
