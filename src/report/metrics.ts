// The Prometheus metrics of a watch (`netprobe watch`, `isolation --watch --metrics`): each round's results
// become series in a registry of their own (not prom-client's global one, so tests and two watches in one
// process do not share state). Pure apart from the clock the caller passes in: no server, no cluster.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Result, Status } from '../verdict/model.ts';
import { redactText } from '../util/redact.ts';

export interface MetricsOptions {
  /** Seconds between rounds (--every), exported so alert rules need no copy of it. */
  intervalSeconds: number;
  /** /healthz fails and the stale alert fires when no round completed for this long. */
  staleAfterSeconds: number;
  /** Most expectation series at once: names are user text, so the count is bounded (non-passes kept first). */
  maxSeries?: number;
  startedAt: Date;
}

/** Longest label value exported; longer user text is cut, with an ellipsis. */
export const MAX_LABEL_CHARS = 200;
export const DEFAULT_MAX_SERIES = 10_000;

const STATUSES: readonly Status[] = ['leak', 'broken', 'inconclusive', 'pass'];
// Probe times: a connection on the same node takes a millisecond, a timeout the --timeout (2 s by default).
const PROBE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** User text as a label value: redacted as every report is (a URL's userinfo and query values: /metrics is
 *  scraped and stored elsewhere), then cut to MAX_LABEL_CHARS. */
export function labelValue(text: string): string {
  const safe = redactText(text);
  return safe.length <= MAX_LABEL_CHARS ? safe : `${safe.slice(0, MAX_LABEL_CHARS - 1)}…`;
}

/** The results to export one series each, non-passes first, at most `max`; and how many did not fit. */
export function seriesResults(results: readonly Result[], max: number): { kept: Result[]; dropped: number } {
  const rank = (r: Result) => STATUSES.indexOf(r.status);
  const sorted = [...results].sort((a, b) => rank(a) - rank(b));
  return { kept: sorted.slice(0, max), dropped: Math.max(0, sorted.length - max) };
}

export interface Health {
  ok: boolean;
  /** One line for /healthz: when the last round completed, or since when none has. */
  detail: string;
}

export class WatchMetrics {
  readonly registry = new Registry();
  private readonly options: Required<MetricsOptions>;
  private lastCompleted: Date | undefined;
  private readonly status: Gauge<'suite' | 'expectation' | 'from' | 'to' | 'port' | 'protocol' | 'status'>;
  private readonly counts: Gauge<'status'>;
  private readonly dropped: Gauge;
  private readonly rounds: Counter<'outcome'>;
  private readonly roundDuration: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly probeDuration: Histogram<'protocol' | 'observed'>;

  constructor(options: MetricsOptions) {
    this.options = { maxSeries: DEFAULT_MAX_SERIES, ...options };
    const registers = [this.registry];
    this.status = new Gauge({ name: 'netprobe_expectation_status', help: 'Results of the last completed round with this status (1 for one result); the series of a status no longer held is removed.', labelNames: ['suite', 'expectation', 'from', 'to', 'port', 'protocol', 'status'], registers });
    this.counts = new Gauge({ name: 'netprobe_results', help: 'Results of the last completed round, by status.', labelNames: ['status'], registers });
    this.dropped = new Gauge({ name: 'netprobe_expectation_series_dropped', help: 'Results of the last completed round left out of netprobe_expectation_status (over the series limit; passes go first).', registers });
    this.rounds = new Counter({ name: 'netprobe_rounds_total', help: 'Rounds since start: completed (every result judged) or failed (could not run: API down, permissions).', labelNames: ['outcome'], registers });
    this.roundDuration = new Gauge({ name: 'netprobe_round_duration_seconds', help: 'Duration of the last completed round, from reading the cluster to the last pod deleted.', registers });
    this.lastSuccess = new Gauge({ name: 'netprobe_last_success_timestamp_seconds', help: 'When the last round completed (whatever its verdicts), in Unix seconds; the start until one has, so one age rule covers both.', registers });
    this.probeDuration = new Histogram({ name: 'netprobe_probe_duration_seconds', help: 'Time of each probe (all its attempts), by protocol and what was observed.', labelNames: ['protocol', 'observed'], buckets: PROBE_BUCKETS, registers });
    new Gauge({ name: 'netprobe_watch_interval_seconds', help: 'Seconds between rounds (--every).', registers }).set(options.intervalSeconds);
    new Gauge({ name: 'netprobe_stale_after_seconds', help: '/healthz fails when no round completed for this long.', registers }).set(options.staleAfterSeconds);
    new Gauge({ name: 'netprobe_start_time_seconds', help: 'When the watch started, in Unix seconds.', registers }).set(options.startedAt.getTime() / 1000);
    this.lastSuccess.set(options.startedAt.getTime() / 1000);
    for (const outcome of ['completed', 'failed']) this.rounds.inc({ outcome }, 0);
    for (const status of STATUSES) this.counts.set({ status }, 0);
  }

  /** A round judged every expectation: its results replace the last round's series. */
  completedRound(results: readonly Result[], durationSeconds: number, at: Date): void {
    this.status.reset();
    const { kept, dropped } = seriesResults(results, this.options.maxSeries);
    for (const r of kept) {
      const labels = { suite: labelValue(r.suite), expectation: labelValue(r.expectation), from: labelValue(r.source), to: labelValue(r.destination), port: labelValue(r.port), protocol: r.protocol, status: r.status };
      this.status.inc(labels, 1);
    }
    this.dropped.set(dropped);
    for (const status of STATUSES) this.counts.set({ status }, results.filter((r) => r.status === status).length);
    for (const r of results) this.probeDuration.observe({ protocol: r.protocol, observed: r.observed }, r.durationMs / 1000);
    this.rounds.inc({ outcome: 'completed' });
    this.roundDuration.set(durationSeconds);
    this.lastSuccess.set(at.getTime() / 1000);
    this.lastCompleted = at;
  }

  /** A round that could not run: counted; the last completed round's series stay (their age shows in lastSuccess). */
  failedRound(): void {
    this.rounds.inc({ outcome: 'failed' });
  }

  /** Healthy while a round completed (or, before the first, the watch started) within staleAfterSeconds. */
  health(now: Date): Health {
    const since = this.lastCompleted ?? this.options.startedAt;
    const age = Math.round((now.getTime() - since.getTime()) / 1000);
    const what = this.lastCompleted === undefined ? `no round completed yet; started ${age} s ago` : `last round completed ${age} s ago`;
    const ok = age <= this.options.staleAfterSeconds;
    return { ok, detail: `${ok ? 'ok' : 'stale'}: ${what} (stale after ${this.options.staleAfterSeconds} s)` };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
