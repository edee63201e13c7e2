// The log of a watch: one JSON line per change of an expectation's status, and one per round, so a log
// pipeline (kubectl logs, Loki, ...) can filter on `event` without parsing prose. Pure. Each line is
// redacted as every report is (URL userinfo and query values): logs are kept and shipped elsewhere.
import { redactDeep } from '../util/redact.ts';
import type { Observed, Result, Status, Summary } from '../verdict/model.ts';

export interface StatusChange {
  name: string;
  suite: string;
  expectation: string;
  from: string;
  to: string;
  port: string;
  protocol: string;
  /** null: the result was not there before (first round, or a new pod or expectation). */
  before: Status | null;
  /** null: the result is gone (its pods went away). */
  after: Status | null;
  observed?: Observed;
  detail?: string;
}

function change(r: Result, before: Status | null, after: Result | undefined): StatusChange {
  const c: StatusChange = { name: r.name, suite: r.suite, expectation: r.expectation, from: r.source, to: r.destination, port: r.port, protocol: r.protocol, before, after: after?.status ?? null };
  if (after !== undefined) {
    c.observed = after.observed;
    if (after.detail !== '') c.detail = after.detail.split('\n')[0]!;
  }
  return c;
}

/**
 * What changed status between two rounds, by result name. On the first round (no previous) only the
 * results that are not a pass: a pass at start is not news, a leak is.
 */
export function statusChanges(previous: readonly Result[] | undefined, next: readonly Result[]): StatusChange[] {
  if (previous === undefined) return next.filter((r) => r.status !== 'pass').map((r) => change(r, null, r));
  const before = new Map(previous.map((r) => [r.name, r]));
  const changes: StatusChange[] = [];
  for (const r of next) {
    const b = before.get(r.name);
    before.delete(r.name);
    if (b === undefined || b.status !== r.status) changes.push(change(r, b?.status ?? null, r));
  }
  for (const b of before.values()) changes.push(change(b, b.status, undefined));
  return changes;
}

export function changeLine(c: StatusChange, at: Date): string {
  return JSON.stringify(redactDeep({ time: at.toISOString(), event: 'status', ...c }));
}

export function roundCompletedLine(round: number, summary: Summary, durationSeconds: number, at: Date): string {
  return JSON.stringify({ time: at.toISOString(), event: 'round', round, durationSeconds: Math.round(durationSeconds * 10) / 10, ...summary });
}

export function roundFailedLine(round: number, error: string, at: Date): string {
  return JSON.stringify(redactDeep({ time: at.toISOString(), event: 'round-failed', round, error }));
}
