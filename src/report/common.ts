// Wording and ordering that every reporter shares, so a result reads the same in each format.
import type { Report, Result, Status, Summary } from '../verdict/model.ts';

/** The order non-passes are listed in: the worst news first. */
export const PROBLEM_ORDER = ['leak', 'broken', 'inconclusive'] as const satisfies readonly Status[];
export type Problem = (typeof PROBLEM_ORDER)[number];

/** What each status means, in a few words. */
export const STATUS_MEANING: Record<Status, string> = {
  pass: 'observed as expected',
  leak: 'a forbidden path succeeded',
  broken: 'an allowed path failed',
  inconclusive: 'netprobe could not tell',
};

/** The run as a whole: `failed` on any leak or broken path, `undecided` when only inconclusive remain. */
export type RunVerdict = 'passed' | 'failed' | 'undecided';

export function verdictOf(summary: Summary): RunVerdict {
  if (summary.leak > 0 || summary.broken > 0) return 'failed';
  if (summary.inconclusive > 0) return 'undecided';
  return 'passed';
}

/** Results of one status, in report order. */
export function withStatus(report: Report, status: Status): Result[] {
  return report.results.filter((r) => r.status === status);
}

/** `destination:port/protocol`, e.g. `payments/db:5432/TCP`. */
export function target(r: Result): string {
  return `${r.destination}:${r.port}/${r.protocol}`;
}

/** `source → destination:port/protocol` (`->` without unicode). */
export function path(r: Result, unicode = true): string {
  return `${r.source} ${unicode ? '→' : '->'} ${target(r)}`;
}

/** The raw outcome, with the HTTP status where there is one: `http-status 403`. */
export function outcomeText(r: Result): string {
  return r.httpStatus === undefined ? r.outcome : `${r.outcome} ${r.httpStatus}`;
}

/** `expected deny, observed allowed (connected)`. */
export function expectVsObserved(r: Result): string {
  return `expected ${r.expect}, observed ${r.observed} (${outcomeText(r)})`;
}

/** `2 leaks, 1 broken, 1 inconclusive, 5 passed (9 total)`. */
export function countsText(summary: Summary): string {
  const leaks = `${summary.leak} ${summary.leak === 1 ? 'leak' : 'leaks'}`;
  return `${leaks}, ${summary.broken} broken, ${summary.inconclusive} inconclusive, ${summary.pass} passed (${summary.total} total)`;
}

/** Splits `file:line:col` into its parts; `undefined` parts when the location has another shape. */
export function splitLocation(location: string): { file: string; line?: number; column?: number } {
  const m = /^(.*):(\d+):(\d+)$/.exec(location);
  if (m === null) return { file: location };
  return { file: m[1] ?? location, line: Number(m[2]), column: Number(m[3]) };
}

/** Groups in order of first appearance, each with its results in report order. */
export function groupBy(results: readonly Result[], key: (r: Result) => string): Map<string, Result[]> {
  const groups = new Map<string, Result[]>();
  for (const r of results) {
    const k = key(r);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [r]);
    else list.push(r);
  }
  return groups;
}

/** Seconds between two ISO timestamps, or undefined when either does not parse. */
export function elapsedSeconds(startedAt: string, finishedAt: string): number | undefined {
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

/** One side of a result: its label within its namespace ('' = outside the cluster, or not known). */
export interface Endpoint {
  label: string;
  ns: string;
}

/** A DNS-1123 label followed by `/`: the namespace part of labels such as `payments/db`. */
const NAMESPACE_PREFIX = /^([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\//;

/**
 * The node a result's side stands for. The namespace comes from the result (newer reports) or from a
 * `namespace/` prefix of the label (older reports, and labels such as `payments/db`); without either
 * the peer counts as outside the cluster. The label loses a prefix that repeats its namespace (`ns/`, `ns.`).
 */
export function nodeOf(label: string, namespace: string | undefined): Endpoint {
  const ns = namespace ?? NAMESPACE_PREFIX.exec(label)?.[1] ?? '';
  // `ns/name` as suites write it, `ns.name` as netprobe matrix names its identities.
  const short = ns !== '' && (label.startsWith(`${ns}/`) || label.startsWith(`${ns}.`)) ? label.slice(ns.length + 1) : label;
  return { label: short === '' ? label : short, ns };
}

/** The source as `namespace/workload` (the label alone when it has no namespace). */
export function sourceWorkload(r: Result): string {
  const e = nodeOf(r.source, r.sourceNamespace);
  return e.ns === '' ? e.label : `${e.ns}/${e.label}`;
}
