// The size of `netprobe watch`'s /metrics and the time to produce it, at 1,000 and 10,000 expectations
// (test/unit/support/big-report.ts: 50 namespaces, realistic names, 2% leaks, 3% broken, 5% inconclusive).
// Pure: the metrics module after one round (and after a second, changed round), no server and no
// cluster. Five rounds each; the median. Run: npm run bench:watch
import { gzipSync } from 'node:zlib';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { WatchMetrics } from '../src/report/metrics.ts';
import { bigReport } from '../test/unit/support/big-report.ts';

const ROUNDS = 5;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function measure(total: number): Promise<void> {
  const first = bigReport(total, 50, 42).results;
  const second = bigReport(total, 50, 43).results.map((r, i) => ({ ...r, name: first[i]!.name, expectation: first[i]!.expectation }));
  const update: number[] = [];
  const render: number[] = [];
  let text = '';
  for (let i = 0; i < ROUNDS; i++) {
    const m = new WatchMetrics({ intervalSeconds: 60, staleAfterSeconds: 480, startedAt: new Date() });
    m.completedRound(first, 30, new Date());
    const t0 = performance.now();
    m.completedRound(second, 30, new Date());
    update.push(performance.now() - t0);
    const t1 = performance.now();
    text = await m.text();
    render.push(performance.now() - t1);
  }
  const series = text.split('\n').filter((l) => l.startsWith('netprobe_expectation_status{')).length;
  const bytes = Buffer.byteLength(text);
  console.log(`${total.toLocaleString('en-US')} expectations: /metrics ${(bytes / 1000).toFixed(0)} kB (${bytes.toLocaleString('en-US')} bytes; ${(gzipSync(text).length / 1000).toFixed(0)} kB gzipped), ${series.toLocaleString('en-US')} status series; round update median ${median(update).toFixed(1)} ms, render median ${median(render).toFixed(1)} ms`);
}

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
await measure(1000);
await measure(10_000);
