// The results model: one shape that every reporter reads. Its JSON form is the versioned report
// (`schemaVersion`); field names here are the public contract documented in docs/report-format.md.

import type { Outcome } from '../probe/types.ts';

export type Status = 'pass' | 'leak' | 'broken' | 'inconclusive';
export type Observed = 'allowed' | 'denied' | 'unknown';

export interface Result {
  /** Unique across the run: the expectation name, plus the combination when it expands. */
  name: string;
  expectation: string;
  suite: string;
  /** `file:line:col` of the expectation. */
  location: string;
  source: string;
  destination: string;
  /** The source's namespace, when it has one (absent for outside peers and in older reports). */
  sourceNamespace?: string;
  /** The destination's namespace, when it has one (absent for hosts, CIDRs and URLs). */
  destinationNamespace?: string;
  port: string;
  protocol: string;
  expect: 'allow' | 'deny';
  observed: Observed;
  outcome: Outcome;
  status: Status;
  httpStatus?: number;
  durationMs: number;
  attempts: number;
  /** One line saying why, always set for non-pass results. */
  detail: string;
  /** Set on every inconclusive result (and only there): the cheapest step that would decide it. */
  decideBy?: string;
  /** A command a person can run to see the same thing by hand. */
  reproduce?: string;
  tags: string[];
  /** Set when the policy engine ran (predict, or run with policies). */
  predicted?: 'allowed' | 'denied';
  policies?: string[];
}

export interface Summary {
  total: number;
  pass: number;
  leak: number;
  broken: number;
  inconclusive: number;
}

export const REPORT_SCHEMA_VERSION = 'netprobe.dev/report/v1';

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  run: {
    id: string;
    command: string;
    startedAt: string;
    finishedAt: string;
    cluster?: string;
    context?: string;
  };
  summary: Summary;
  results: Result[];
  /** Run-level patterns where observed and predicted disagree (src/verdict/patterns.ts); absent when none. */
  findings?: Finding[];
}

export function summarize(results: readonly Result[]): Summary {
  const summary: Summary = { total: results.length, pass: 0, leak: 0, broken: 0, inconclusive: 0 };
  for (const r of results) summary[r.status] += 1;
  return summary;
}

/** What a report says of its run, besides the results. */
export interface ReportRun {
  id: string;
  /** The command line after `netprobe` (`['run', 'suites/']`). */
  argv: readonly string[];
  startedAt: Date;
  cluster?: { server: string; context?: string };
}

/** The one way a Report is made (run, predict, isolation): summary and findings from the results. */
export function buildReport(run: ReportRun, results: Result[], findings: readonly Finding[] = []): Report {
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: {
      id: run.id,
      command: ['netprobe', ...run.argv].join(' '),
      startedAt: run.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ...(run.cluster === undefined ? {} : { cluster: run.cluster.server, ...(run.cluster.context === undefined ? {} : { context: run.cluster.context }) }),
    },
    summary: summarize(results),
    results,
  };
  if (findings.length > 0) report.findings = [...findings];
  return report;
}

/** Exit codes shared by every command that judges connectivity. */
export const EXIT = { ok: 0, failed: 1, usage: 2, undecided: 3 } as const;

export function exitCodeFor(summary: Summary): number {
  if (summary.leak > 0 || summary.broken > 0) return EXIT.failed;
  if (summary.inconclusive > 0) return EXIT.undecided;
  return EXIT.ok;
}

/** A pattern across results (src/verdict/patterns.ts finds them). */
export type PatternName =
  | 'not-enforcing'
  | 'ingress-not-enforced'
  | 'egress-not-enforced'
  | 'extra-filtering'
  | 'named-port'
  | 'ipblock-except'
  | 'service-route'
  | 'unexplained'
  /** Not a disagreement: the labels netprobe's pods could not carry (src/run/dropped-labels.ts). */
  | 'dropped-labels'
  /** Not a disagreement: a Service that publishes not-ready pods lists netprobe's (src/run/not-ready-services.ts). */
  | 'publishes-not-ready'
  /** Not a disagreement: a PodDisruptionBudget netprobe's pods hold up while they exist (src/run/disruption-budgets.ts). */
  | 'holds-disruption-budget';

export interface Finding {
  pattern: PatternName;
  /** One or two sentences: what was seen and what it usually means. */
  message: string;
  /** The results (names) that show it. */
  results: string[];
  /** For the record only: nothing it names changed a verdict, so the terminal does not print it after every run. */
  quiet?: true;
}
