// The watch's Prometheus series: which exist after rounds with changes, escaping of user text, the bound
// on their number, and what /healthz says.
import { expect } from 'chai';
import { DEFAULT_MAX_SERIES, labelValue, MAX_LABEL_CHARS, seriesResults, WatchMetrics } from '../../../src/report/metrics.ts';
import type { Result, Status } from '../../../src/verdict/model.ts';

const START = new Date('2026-12-06T08:00:00Z');

function result(name: string, status: Status, extra: Partial<Result> = {}): Result {
  const observed = status === 'leak' || status === 'pass' ? 'allowed' : status === 'broken' ? 'denied' : 'unknown';
  return {
    name, expectation: name, suite: 'shop', location: 'shop.yaml:3:7', source: 'web/frontend', destination: 'data/db', port: '5432', protocol: 'TCP',
    expect: status === 'leak' ? 'deny' : 'allow', observed, outcome: 'connected', status, durationMs: 30, attempts: 1, detail: '', tags: [], ...extra,
  };
}

function metrics(maxSeries?: number): WatchMetrics {
  return new WatchMetrics({ intervalSeconds: 60, staleAfterSeconds: 480, startedAt: START, ...(maxSeries === undefined ? {} : { maxSeries }) });
}

/** The sample lines of one metric, without HELP and TYPE. */
async function samples(m: WatchMetrics, name: string): Promise<string[]> {
  return (await m.text()).split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

const at = (s: number) => new Date(START.getTime() + s * 1000);

describe('WatchMetrics', () => {
  it('exports one series per result, with its current status and value 1', async () => {
    const m = metrics();
    m.completedRound([result('db closed', 'pass'), result('db open', 'leak', { expect: 'deny' })], 12.5, at(20));
    expect(await samples(m, 'netprobe_expectation_status')).to.deep.equal([
      'netprobe_expectation_status{suite="shop",expectation="db open",from="web/frontend",to="data/db",port="5432",protocol="TCP",status="leak"} 1',
      'netprobe_expectation_status{suite="shop",expectation="db closed",from="web/frontend",to="data/db",port="5432",protocol="TCP",status="pass"} 1',
    ]);
    expect(await samples(m, 'netprobe_results')).to.include.members(['netprobe_results{status="leak"} 1', 'netprobe_results{status="pass"} 1', 'netprobe_results{status="broken"} 0']);
    expect(await samples(m, 'netprobe_round_duration_seconds')).to.deep.equal(['netprobe_round_duration_seconds 12.5']);
    expect(await samples(m, 'netprobe_last_success_timestamp_seconds')).to.deep.equal([`netprobe_last_success_timestamp_seconds ${at(20).getTime() / 1000}`]);
  });

  it('removes the series of a status no longer held, and of results that are gone', async () => {
    const m = metrics();
    m.completedRound([result('a', 'pass'), result('b', 'pass')], 1, at(10));
    m.completedRound([result('a', 'leak')], 1, at(80));
    const lines = await samples(m, 'netprobe_expectation_status');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('expectation="a"').and.contain('status="leak"');
    m.completedRound([result('a', 'pass')], 1, at(150));
    expect((await samples(m, 'netprobe_expectation_status')).join('\n')).to.not.contain('leak');
  });

  it('counts results that share every label (an expanded expectation) in one series', async () => {
    const m = metrics();
    m.completedRound([result('x [1]', 'leak', { expectation: 'x' }), result('x [2]', 'leak', { expectation: 'x' })], 1, at(10));
    expect(await samples(m, 'netprobe_expectation_status')).to.deep.equal(['netprobe_expectation_status{suite="shop",expectation="x",from="web/frontend",to="data/db",port="5432",protocol="TCP",status="leak"} 2']);
  });

  it('keeps secrets out of the labels: URL query values and userinfo are redacted, as in every report', async () => {
    const m = metrics();
    const url = 'https://ops:pw123@api.example.com/health?token=SECRET42';
    m.completedRound([result(`reach ${url}`, 'leak', { expectation: `reach ${url}`, destination: url, port: '' })], 1, at(10));
    const text = await m.text();
    expect(text).to.not.contain('SECRET42').and.not.contain('pw123');
    expect(await samples(m, 'netprobe_expectation_status')).to.deep.equal([
      'netprobe_expectation_status{suite="shop",expectation="reach https://<redacted>@api.example.com/health?token=<redacted>",from="web/frontend",to="https://<redacted>@api.example.com/health?token=<redacted>",port="",protocol="TCP",status="leak"} 1',
    ]);
  });

  it('escapes quotes, backslashes and newlines in user text, and cuts long names', async () => {
    const m = metrics();
    m.completedRound([result('tricky', 'broken', { expectation: 'say "hi" \\ then\nbye', suite: 'x'.repeat(500) })], 1, at(10));
    const [line] = await samples(m, 'netprobe_expectation_status');
    expect(line).to.contain('expectation="say \\"hi\\" \\\\ then\\nbye"');
    expect(line).to.contain(`suite="${'x'.repeat(MAX_LABEL_CHARS - 1)}…"`);
    expect(labelValue('short')).to.equal('short');
  });

  it('bounds the series: non-passes first, the rest counted as dropped', async () => {
    const results = [...Array.from({ length: 5 }, (_, i) => result(`p${i}`, 'pass')), result('l', 'leak'), result('b', 'broken'), result('i', 'inconclusive')];
    const { kept, dropped } = seriesResults(results, 4);
    expect(kept.map((r) => r.status)).to.deep.equal(['leak', 'broken', 'inconclusive', 'pass']);
    expect(dropped).to.equal(4);
    const m = metrics(4);
    m.completedRound(results, 1, at(10));
    expect(await samples(m, 'netprobe_expectation_status')).to.have.length(4);
    expect(await samples(m, 'netprobe_expectation_series_dropped')).to.deep.equal(['netprobe_expectation_series_dropped 4']);
    expect(await samples(m, 'netprobe_results')).to.include('netprobe_results{status="pass"} 5');
    expect(DEFAULT_MAX_SERIES).to.be.greaterThan(1000);
  });

  it('a failed round is counted and keeps the last completed round\'s series and time', async () => {
    const m = metrics();
    m.completedRound([result('a', 'leak')], 1, at(10));
    m.failedRound();
    m.failedRound();
    expect(await samples(m, 'netprobe_rounds_total')).to.deep.equal(['netprobe_rounds_total{outcome="completed"} 1', 'netprobe_rounds_total{outcome="failed"} 2']);
    expect(await samples(m, 'netprobe_expectation_status')).to.have.length(1);
    expect(await samples(m, 'netprobe_last_success_timestamp_seconds')).to.deep.equal([`netprobe_last_success_timestamp_seconds ${at(10).getTime() / 1000}`]);
  });

  it('observes each probe\'s time in the histogram, by protocol and observation', async () => {
    const m = metrics();
    m.completedRound([result('a', 'pass', { durationMs: 3 }), result('b', 'broken', { durationMs: 2000, protocol: 'UDP' })], 1, at(10));
    const lines = await samples(m, 'netprobe_probe_duration_seconds_count');
    expect(lines).to.have.members(['netprobe_probe_duration_seconds_count{protocol="TCP",observed="allowed"} 1', 'netprobe_probe_duration_seconds_count{protocol="UDP",observed="denied"} 1']);
    expect(await samples(m, 'netprobe_probe_duration_seconds_bucket')).to.include('netprobe_probe_duration_seconds_bucket{le="0.0025",protocol="TCP",observed="allowed"} 0');
    expect(await samples(m, 'netprobe_probe_duration_seconds_bucket')).to.include('netprobe_probe_duration_seconds_bucket{le="0.005",protocol="TCP",observed="allowed"} 1');
  });

  it('before the first round: zero counts, the start as last success, the interval and stale limit for alert rules', async () => {
    const m = metrics();
    expect(await samples(m, 'netprobe_expectation_status')).to.deep.equal([]);
    expect(await samples(m, 'netprobe_rounds_total')).to.deep.equal(['netprobe_rounds_total{outcome="completed"} 0', 'netprobe_rounds_total{outcome="failed"} 0']);
    expect(await samples(m, 'netprobe_last_success_timestamp_seconds')).to.deep.equal([`netprobe_last_success_timestamp_seconds ${START.getTime() / 1000}`]);
    expect(await samples(m, 'netprobe_watch_interval_seconds')).to.deep.equal(['netprobe_watch_interval_seconds 60']);
    expect(await samples(m, 'netprobe_stale_after_seconds')).to.deep.equal(['netprobe_stale_after_seconds 480']);
  });

  it('is healthy while a round completed (or the watch started) within the stale limit', () => {
    const m = metrics();
    expect(m.health(at(480))).to.deep.equal({ ok: true, detail: 'ok: no round completed yet; started 480 s ago (stale after 480 s)' });
    expect(m.health(at(481)).ok).to.equal(false);
    m.completedRound([], 1, at(500));
    expect(m.health(at(600))).to.deep.equal({ ok: true, detail: 'ok: last round completed 100 s ago (stale after 480 s)' });
    m.failedRound();
    expect(m.health(at(1000))).to.deep.equal({ ok: false, detail: 'stale: last round completed 500 s ago (stale after 480 s)' });
  });

  it('two watches in one process do not share series', async () => {
    const a = metrics();
    const b = metrics();
    a.completedRound([result('a', 'leak')], 1, at(10));
    expect(await samples(b, 'netprobe_expectation_status')).to.deep.equal([]);
  });
});
