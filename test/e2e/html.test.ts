// `netprobe matrix -o html` on the local cluster, read in Debian's Chromium, and `matrix --from-cluster`
// (the table the live policies imply) equal to it: the page shows the matrix's
// probes as reachable, blocked and unknown (not as leaks), with the same counts as its JSON, and a
// blocked and a reachable edge where the policies put them. In namespaces of this file's own
// (html-e2e-*), deleted at the end.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { echoDeployment, restrictedNamespace, sameNamespaceOnly } from '../../bench/workloads.ts';
import { launch, openReport } from '../browser/chromium.ts';
import { clusterEnv, kubectl, netprobe, tempFile } from './support.ts';

const OPEN = 'html-e2e-open';
const CLOSED = 'html-e2e-closed';

describe('e2e: matrix -o html', function () {
  this.timeout(600_000);
  let browser: Browser | undefined;
  let observed: string[][] = [];
  before(async function () {
    clusterEnv(this);
    for (const ns of [OPEN, CLOSED]) {
      await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true']);
      await kubectl(['apply', '-f', '-'], restrictedNamespace(ns));
    }
    // CLOSED lets in only its own pods; OPEN has no policy.
    await kubectl(['apply', '-f', '-'], [echoDeployment(OPEN, 'web', { app: 'web' }), echoDeployment(CLOSED, 'db', { app: 'db' }), sameNamespaceOnly(CLOSED)].join('---\n'));
    for (const ns of [OPEN, CLOSED]) await kubectl(['-n', ns, 'rollout', 'status', 'deployment', '--timeout=180s']);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await kubectl(['delete', 'namespace', OPEN, CLOSED, '--ignore-not-found', '--wait=false']);
  });

  it('draws the truth table the JSON gives: reachable and blocked, never leaks', async () => {
    const json = tempFile('matrix.json', '');
    const html = tempFile('matrix.html', '');
    const run = await netprobe(['matrix', '--namespaces', `${OPEN},${CLOSED}`, '-o', `json=${json}`, '-o', `html=${html}`, '--quiet']);
    expect(run.code, run.stderr).to.equal(0);
    const m = JSON.parse(readFileSync(json, 'utf8')) as { cells: string[][] };
    observed = m.cells;
    const cells = m.cells.flat();
    const { page, errors, requests } = await openReport(browser as Browser, html);
    expect(errors).to.deep.equal([]);
    expect(requests).to.have.length(1);
    expect(await page.locator('#verdict').textContent()).to.equal('netprobe matrix');
    expect(await page.locator('#count-leak .badge').textContent()).to.equal('reachable');
    expect(Number(await page.locator('#count-leak').getAttribute('data-count'))).to.equal(cells.filter((c) => c === 'allowed').length);
    expect(Number(await page.locator('#count-pass').getAttribute('data-count'))).to.equal(cells.filter((c) => c === 'denied').length);
    expect(await page.locator(`#graph .edge[data-from="${OPEN}/web"][data-to="${CLOSED}/db"]`).getAttribute('data-status')).to.equal('pass');
    expect(await page.locator(`#graph .edge[data-from="${CLOSED}/db"][data-to="${OPEN}/web"]`).getAttribute('data-status')).to.equal('leak');
    await page.screenshot({ path: `${html}.png` });
    const left = await kubectl(['get', 'pods', '-n', OPEN, '-l', 'netprobe.dev/run', '-o', 'name']);
    expect(left + (await kubectl(['get', 'pods', '-n', CLOSED, '-l', 'netprobe.dev/run', '-o', 'name']))).to.equal('');
  });

  it('matrix --from-cluster: the table the live policies imply, nothing created, equal to what was probed here', async () => {
    expect(observed).to.not.deep.equal([]);
    const json = tempFile('predicted.json', '');
    const run = await netprobe(['matrix', '--namespaces', `${OPEN},${CLOSED}`, '--from-cluster', '-o', `json=${json}`, '-o', 'table']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('allowed by the policies');
    const m = JSON.parse(readFileSync(json, 'utf8')) as { cells: string[][]; run: { cluster?: string } };
    expect(m.cells).to.deep.equal(observed);
    expect(m.run.cluster).to.be.a('string');
    for (const ns of [OPEN, CLOSED]) expect(await kubectl(['get', 'pods', '-n', ns, '-l', 'netprobe.dev/run', '-o', 'name'])).to.equal('');
    expect(run.stderr).to.not.contain('probe pod');
  });
});
