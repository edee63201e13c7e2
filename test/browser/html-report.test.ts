// The HTML report in a real browser (Debian's Chromium through playwright-core): the demo's report (made
// by `netprobe predict` from demo/policies and suites/demo, no cluster), the report fixture with leaks,
// and a generated 1,000-expectation report. Counts, edges, details and filters are read from the DOM and
// compared with the report's JSON. Screenshots go to out/browser/. Render time is bench/html-render.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import { renderReport } from '../../src/report/render.ts';
import type { Report, Result } from '../../src/verdict/model.ts';
import { bigReport } from '../unit/support/big-report.ts';
import { launch, openReport, type OpenedPage } from './chromium.ts';

// The little of the DOM the page functions below use (the project's TypeScript has no DOM library).
declare const document: { elementFromPoint(x: number, y: number): { closest(selector: string): unknown } | null };
interface SvgPath {
  getTotalLength(): number;
  getPointAtLength(length: number): { x: number; y: number };
  getScreenCTM(): { a: number; b: number; c: number; d: number; e: number; f: number };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `${ROOT}out/browser`;

/** Distinct source -> destination pairs, as the graph draws them with no namespace collapsed. */
function pairs(results: readonly Result[]): Set<string> {
  return new Set(results.map((r) => `${r.sourceNamespace ?? ''}|${r.source}|${r.destinationNamespace ?? ''}|${r.destination}`));
}

/**
 * Clicks an edge where a person would: on its line, at the first of a few points along it that no node or
 * label covers (Playwright's own click aims at the middle of the bounding box, off a curved line).
 */
async function clickEdge(page: Page, edge: Locator): Promise<void> {
  await edge.scrollIntoViewIfNeeded();
  const point = await edge.evaluate((g) => {
    const path = g.querySelector('path.h') as unknown as SvgPath;
    const length = path.getTotalLength();
    const m = path.getScreenCTM();
    for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
      const p = path.getPointAtLength(length * f);
      const x = p.x * m.a + p.y * m.c + m.e;
      const y = p.x * m.b + p.y * m.d + m.f;
      if (document.elementFromPoint(x, y)?.closest('.edge') === g) return { x, y };
    }
    return undefined;
  });
  if (point === undefined) throw new Error('no visible point on the edge to click');
  await page.mouse.click(point.x, point.y);
}

async function texts(page: Page, selector: string): Promise<string[]> {
  return await page.locator(selector).allTextContents();
}

async function shownCount(page: Page): Promise<number> {
  const text = (await page.locator('#shown').textContent()) ?? '';
  return Number(/showing (\d+) of/.exec(text)?.[1] ?? NaN);
}

/** The header's counts, as the page shows them. */
async function headerCounts(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of ['leak', 'broken', 'inconclusive', 'pass', 'total']) out[s] = Number(await page.locator(`#count-${s}`).getAttribute('data-count'));
  return out;
}

describe('html report in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;
  before(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  describe('the demo report (netprobe predict, no cluster)', () => {
    let report: Report;
    let opened: OpenedPage;
    before(async () => {
      const cli = spawnSync(process.execPath, ['bin/netprobe.js', 'predict', '--policies', 'demo/policies', 'suites/demo', '-o', 'json=out/browser/demo.json', '-o', 'html=out/browser/demo.html'], { cwd: ROOT, encoding: 'utf8' });
      expect(cli.status, cli.stderr).to.equal(1); // the demo's planted contradictions
      report = JSON.parse(readFileSync(`${OUT}/demo.json`, 'utf8')) as Report;
      opened = await openReport(browser, `${OUT}/demo.html`);
    });

    it('fetches nothing but itself and runs without errors', () => {
      expect(opened.requests).to.deep.equal([`file://${OUT}/demo.html`]);
      expect(opened.errors).to.deep.equal([]);
    });

    it('shows the counts, the run and the version in the header', async () => {
      const { page } = opened;
      expect(await headerCounts(page)).to.deep.equal({ ...report.summary });
      expect(await page.locator('#verdict').textContent()).to.equal('netprobe: failed');
      expect(await page.locator('#run-meta').textContent()).to.include(`run ${report.run.id}`).and.include('netprobe ');
      expect(await shownCount(page)).to.equal(report.results.length);
    });

    it('draws one edge per source and destination, coloured by its worst status', async () => {
      const { page } = opened;
      expect(await page.locator('#graph .edge').count()).to.equal(pairs(report.results).size);
      expect(await texts(page, '#graph .grp .head text')).to.include.members(['▾ demo-api (3)', '▾ demo-db (4)', '▾ outside the cluster (1)']);
      const edge = page.locator('#graph .edge[data-from="demo-api/api"][data-to="demo-db/cache"]');
      expect(await edge.getAttribute('class')).to.equal('edge st-broken');
      // Down to the graph's bottom edge: the picture docs/html-report.png is copied from.
      const box = await page.locator('#graph-wrap').boundingBox();
      await page.screenshot({ path: `${OUT}/demo-graph.png`, clip: { x: 0, y: 0, width: 1400, height: Math.ceil((box?.y ?? 0) + (box?.height ?? 900)) + 12 } });
    });

    it('opens an edge: its expectations, the deciding policies, and the prediction', async () => {
      const { page } = opened;
      await clickEdge(page, page.locator('#graph .edge[data-from="demo-api/api"][data-to="demo-db/cache"]'));
      expect(await page.locator('#details-title').textContent()).to.equal('demo-api/api → demo-db/cache');
      expect(await texts(page, '#details .rname')).to.deep.equal(['the API must reach the cache']);
      expect(await page.locator('#details [data-field=policies]').textContent()).to.include('demo-db/cache-ingress');
      expect(await page.locator('#details [data-field=predicted]').textContent()).to.equal('denied');
      await page.screenshot({ path: `${OUT}/demo-details.png` });
      await page.locator('#details-close').click();
      expect(await page.locator('#details').isHidden()).to.equal(true);
    });

    it('filters by status, namespace and port, in every view', async () => {
      const { page } = opened;
      await page.locator('#show-pass').uncheck();
      const problems = report.results.filter((r) => r.status !== 'pass');
      expect(await shownCount(page)).to.equal(problems.length);
      expect(await page.locator('#graph .edge.st-pass').count()).to.equal(0);
      expect(await page.locator('#graph .edge').count()).to.equal(pairs(problems).size);
      await page.locator('#show-pass').check();
      await page.locator('#filter-ns').selectOption('demo-db');
      const db = report.results.filter((r) => r.sourceNamespace === 'demo-db' || r.destinationNamespace === 'demo-db');
      expect(await shownCount(page)).to.equal(db.length);
      await page.locator('#filter-port').selectOption('5432/TCP');
      expect(await shownCount(page)).to.equal(db.filter((r) => r.port === '5432' && r.protocol === 'TCP').length);
      await page.locator('#tab-table').click();
      expect(await texts(page, '#truth-table .chip')).to.have.length(db.filter((r) => r.port === '5432').length);
      await page.locator('#filter-ns').selectOption('*');
      await page.locator('#filter-port').selectOption('*');
    });

    it('shows the truth table: a chip per port with expected, predicted and observed', async () => {
      const { page } = opened;
      await page.locator('#tab-table').click();
      const chip = page.locator('#truth-table tr', { has: page.locator('th', { hasText: /^demo-api\/api$/ }) }).locator('.chip[data-port="6379/TCP"]');
      expect(await chip.getAttribute('data-status')).to.equal('broken');
      expect(await chip.locator('small').textContent()).to.equal('e✓ p✗'); // predicted only: nothing observed
      await page.screenshot({ path: `${OUT}/demo-table.png` });
      await page.locator('#tab-graph').click();
    });
  });

  describe('the demo\'s truth table from manifests (netprobe matrix --policies, no cluster)', () => {
    it('shows the policies\' answers as allowed and denied, each chip the prediction', async () => {
      const cli = spawnSync(process.execPath, ['bin/netprobe.js', 'matrix', '--namespaces', 'demo-frontend,demo-api,demo-db', '--policies', 'demo/policies', '--state', 'demo/app', '-o', 'json=out/browser/matrix.json', '-o', 'html=out/browser/matrix.html'], { cwd: ROOT, encoding: 'utf8' });
      expect(cli.status, cli.stderr).to.equal(0);
      const cells = (JSON.parse(readFileSync(`${OUT}/matrix.json`, 'utf8')) as { cells: string[][] }).cells.flat();
      const { page, errors } = await openReport(browser, `${OUT}/matrix.html`);
      expect(errors).to.deep.equal([]);
      expect(await page.locator('#count-leak .badge').textContent()).to.equal('allowed');
      expect(Number(await page.locator('#count-leak').getAttribute('data-count'))).to.equal(cells.filter((c) => c === 'allowed').length);
      expect(Number(await page.locator('#count-pass').getAttribute('data-count'))).to.equal(cells.filter((c) => c === 'denied').length);
      expect(await page.locator('#graph .edge[data-from="demo-api/worker"][data-to="demo-db/cache"]').getAttribute('data-status')).to.equal('leak');
      await page.locator('#tab-table').click();
      const chip = page.locator('#truth-table tr', { has: page.locator('th', { hasText: /^demo-api\/worker$/ }) }).locator('.chip[data-port="6379/TCP"]');
      expect(await chip.locator('small').textContent()).to.equal('p✓');
      await page.screenshot({ path: `${OUT}/matrix-table.png` });
    });
  });

  describe('a report with leaks (test/fixtures/reports/every-status.json)', () => {
    it('opens the leak edge: what was seen, why, and the command to reproduce it', async () => {
      const report = JSON.parse(readFileSync(`${ROOT}test/fixtures/reports/every-status.json`, 'utf8')) as Report;
      writeFileSync(`${OUT}/every-status.html`, renderReport('html', report));
      const { page, errors } = await openReport(browser, `${OUT}/every-status.html`);
      expect(await headerCounts(page)).to.deep.equal({ ...report.summary });
      const edge = page.locator('#graph .edge[data-from="sandbox/shell"][data-to="payments/db"]');
      expect(await edge.getAttribute('data-status')).to.equal('leak');
      await clickEdge(page, edge);
      const leak = report.results.find((r) => r.name === 'sandbox must not reach the database');
      expect(await texts(page, '#details .rname')).to.include('sandbox must not reach the database');
      const block = page.locator('#details .res', { has: page.locator('.rname', { hasText: 'sandbox must not reach the database' }) });
      expect(await block.locator('[data-field=why]').textContent()).to.equal(leak?.detail);
      expect(await block.locator('pre.reproduce').textContent()).to.equal(leak?.reproduce);
      const copy = block.locator('button.copy');
      expect(await copy.textContent()).to.equal('copy command');
      await copy.click();
      // The clipboard answers asynchronously: wait for the button to say so (fails by timeout otherwise).
      await block.locator('button.copy', { hasText: 'copied' }).waitFor({ timeout: 5000 });
      expect(await page.evaluate('navigator.clipboard.readText()')).to.equal(leak?.reproduce);
      expect(errors).to.deep.equal([]);
    });
  });

  describe('1,000 expectations in 50 namespaces', () => {
    let report: Report;
    let opened: OpenedPage;
    before(async () => {
      report = bigReport(1000, 50);
      writeFileSync(`${OUT}/big.html`, renderReport('html', report));
      opened = await openReport(browser, `${OUT}/big.html`);
    });

    it('starts with every namespace collapsed, one node each, and the counts of the report', async () => {
      const { page } = opened;
      expect(await headerCounts(page)).to.deep.equal({ ...report.summary });
      const namespaces = new Set(report.results.flatMap((r) => [r.sourceNamespace ?? '', r.destinationNamespace ?? '']));
      expect(await page.locator('#graph .node.group').count()).to.equal(namespaces.size);
      await page.screenshot({ path: `${OUT}/big-graph.png` });
      expect(opened.errors).to.deep.equal([]);
    });

    it('finds the known leak by search, and shows it as a leak edge between the two namespaces', async () => {
      const { page } = opened;
      await page.locator('#search').fill('the known leak');
      expect(await shownCount(page)).to.equal(1);
      const edge = page.locator('#graph .edge');
      expect(await edge.count()).to.equal(1);
      expect(await edge.getAttribute('data-from')).to.equal('team-00');
      expect(await edge.getAttribute('data-to')).to.equal('team-01');
      await clickEdge(page, edge);
      expect(await texts(page, '#details .rname')).to.deep.equal(['the known leak']);
      await page.locator('#details-close').click();
      await page.locator('#search').fill('');
    });

    it('expands a namespace into its workloads, and all of them on request', async () => {
      const { page } = opened;
      await page.locator('#graph .grp[data-ns="team-00"] .head').click();
      const team00 = new Set(report.results.flatMap((r) => [r.sourceNamespace === 'team-00' ? r.source : '', r.destinationNamespace === 'team-00' ? r.destination : '']).filter(Boolean));
      expect(await page.locator('#graph .node[data-node^="team-00/"]').count()).to.equal(team00.size);
      await page.locator('#expand-all').click();
      const nodes = new Set(report.results.flatMap((r) => [`${r.sourceNamespace ?? ''}/${r.source}`, `${r.destinationNamespace ?? ''}/${r.destination}`]));
      expect(await page.locator('#graph .node').count()).to.equal(nodes.size);
      await page.locator('#collapse-all').click();
    });

    it('groups the truth table by namespace when the workloads would make too many cells', async () => {
      const { page } = opened;
      await page.locator('#expand-all').click();
      await page.locator('#tab-table').click();
      expect(await page.locator('#table-note').textContent()).to.include('Grouped by namespace');
      await page.locator('#filter-ns').selectOption('team-00');
      expect(await page.locator('#table-note').textContent()).to.not.include('Grouped by namespace');
      await page.screenshot({ path: `${OUT}/big-table.png` });
    });
  });
});
