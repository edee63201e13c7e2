// The alert rules' tests (deploy/prometheus-rules.test.yaml, run by promtool in scripts/test) feed series
// by hand; this checks they are the series netprobe exports: every netprobe_* name and its label names as
// WatchMetrics writes them, and every netprobe_* name the rules use.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { WatchMetrics } from '../../../src/report/metrics.ts';
import type { Result } from '../../../src/verdict/model.ts';

const RULES = new URL('../../../deploy/prometheus-rules.yaml', import.meta.url);
const RULE_TESTS = new URL('../../../deploy/prometheus-rules.test.yaml', import.meta.url);
/** Added by Prometheus when it scrapes, not by netprobe. */
const SCRAPE_LABELS = ['job', 'instance'];

interface RuleTests {
  tests: { input_series: { series: string }[] }[];
}

/** Metric name -> its label names, from exposition text or a series selector. */
function labelNames(line: string): [string, string[]] {
  const m = /^([a-z_:]+)(?:\{(.*)\})?/.exec(line)!;
  const names = [...(m[2] ?? '').matchAll(/([a-z_]+)="(?:[^"\\]|\\.)*"/g)].map((l) => l[1]!);
  return [m[1]!, names.filter((n) => !SCRAPE_LABELS.includes(n) && n !== 'le').sort()];
}

async function exported(): Promise<Map<string, string[]>> {
  const m = new WatchMetrics({ intervalSeconds: 60, staleAfterSeconds: 480, startedAt: new Date() });
  const r: Result = { name: 'a', expectation: 'a', suite: 's', location: 's.yaml:1:1', source: 'x', destination: 'y', port: '80', protocol: 'TCP', expect: 'deny', observed: 'allowed', outcome: 'connected', status: 'leak', durationMs: 1, attempts: 1, detail: '', tags: [] };
  m.completedRound([r], 1, new Date());
  const out = new Map<string, string[]>();
  for (const line of (await m.text()).split('\n').filter((l) => l.startsWith('netprobe_'))) {
    const [name, labels] = labelNames(line);
    out.set(name, labels);
  }
  return out;
}

describe('alert rules and their promtool tests use the series netprobe exports', () => {
  it('every netprobe_* input series of the rule tests has a name and labels WatchMetrics writes', async () => {
    const real = await exported();
    const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as RuleTests;
    const series = tests.tests.flatMap((t) => t.input_series.map((s) => s.series)).filter((s) => s.startsWith('netprobe_'));
    expect(series.length).to.be.greaterThan(5);
    for (const s of series) {
      const [name, labels] = labelNames(s);
      expect(real.has(name), `${name} is not exported`).to.equal(true);
      expect(labels, s).to.deep.equal(real.get(name));
    }
  });

  it('every netprobe_* name in the rules is exported', async () => {
    const real = await exported();
    const used = [...readFileSync(RULES, 'utf8').matchAll(/\b(netprobe_[a-z_]+)\b/g)].map((m) => m[1]!);
    expect(used).to.include.members(['netprobe_expectation_status', 'netprobe_last_success_timestamp_seconds', 'netprobe_stale_after_seconds']);
    for (const name of used) expect(real.has(name), `${name} is used by a rule but not exported`).to.equal(true);
  });
});
