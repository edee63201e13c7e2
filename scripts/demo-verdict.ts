// Checks the demo run found exactly what the demo policies plant: the OR-selector leak, the missing
// egress rule, and the deny against a workload that does not exist; everything else passes.
import { readFileSync } from 'node:fs';
import type { Report } from '../src/verdict/model.ts';

const [file, status] = process.argv.slice(2);
const report = JSON.parse(readFileSync(file!, 'utf8')) as Report;
const planted: Record<string, string> = {
  'the worker must not reach the cache': 'leak',
  'the API must reach the cache': 'broken',
  'the API must not reach the analytics database': 'inconclusive',
};
const wrong = report.results.filter((r) => r.status !== (planted[r.expectation] ?? 'pass'));
const { pass, leak, broken, inconclusive } = report.summary;
console.log(`demo: ${pass} pass, ${leak} leak, ${broken} broken, ${inconclusive} inconclusive (netprobe exit ${status})`);
if (wrong.length > 0 || status !== '1') {
  for (const r of wrong) console.log(`demo: unexpected ${r.status} for "${r.name}": ${r.detail}`);
  console.log('demo: FAILED: the verdicts are not the planted ones');
  process.exit(1);
}
console.log('demo: OK: netprobe caught the planted leak (OR selector), the broken path (missing egress) and the dead target');
