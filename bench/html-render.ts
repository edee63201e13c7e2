// The HTML report at 1,000 expectations (test/unit/support/big-report.ts: 50 namespaces, ~500 workloads):
// its size, the time netprobe takes to write it, and in Debian's Chromium the time from navigation until
// the first view is drawn (the page's own performance.now() when it marks itself ready), then the
// truth-table tab and "expand all" as a reader would click them. Five rounds, each in a fresh page.
// Run: npm run bench:html (needs chromium; scripts/setup installs it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { render } from '../src/report/html.ts';
import { launch, openReport } from '../test/browser/chromium.ts';
import { bigReport } from '../test/unit/support/big-report.ts';

const ROUNDS = 5;
const out = fileURLToPath(new URL('../out/bench', import.meta.url));
mkdirSync(out, { recursive: true });
const file = `${out}/html-1000.html`;

const report = bigReport(1000, 50);
const started = performance.now();
const html = render(report);
const writeMs = performance.now() - started;
writeFileSync(file, html);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Milliseconds one click takes until the page has drawn again (the script draws synchronously). */
async function clickMs(page: import('playwright-core').Page, selector: string): Promise<number> {
  return await page.evaluate(`(() => { const t = performance.now(); document.querySelector(${JSON.stringify(selector)}).click(); return performance.now() - t; })()`);
}

const browser = await launch();
const first: number[] = [];
const table: number[] = [];
const expand: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const { page } = await openReport(browser, file);
    first.push(Number(await page.getAttribute('body', 'data-first-render-ms')));
    expand.push(await clickMs(page, '#expand-all'));
    table.push(await clickMs(page, '#tab-table'));
    await page.close();
  }
} finally {
  await browser.close();
}
const fmt = (xs: number[]): string => `median ${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
console.log(`html report, ${report.results.length} expectations, 50 namespaces: ${(Buffer.byteLength(html) / 1000).toFixed(0)} kB, written in ${writeMs.toFixed(0)} ms`);
console.log(`first view drawn (navigation start to ready): ${fmt(first)}`);
console.log(`expand all namespaces (graph): ${fmt(expand)}`);
console.log(`truth table tab (namespace rows): ${fmt(table)}`);
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
