// Issue 11: every inconclusive result names the step that would decide it (Result.decideBy), and every
// report format shows it; results that are decided carry none.
import { expect } from 'chai';
import { render as renderJson } from '../../../src/report/json.ts';
import { render as renderJunit } from '../../../src/report/junit.ts';
import { render as renderMarkdown } from '../../../src/report/markdown.ts';
import { render as renderTable } from '../../../src/report/table.ts';
import { render as renderTap } from '../../../src/report/tap.ts';
import { fixture } from './fixture.ts';

describe('reports: what would decide an inconclusive result', () => {
  const report = fixture();
  const undecided = report.results.filter((r) => r.status === 'inconclusive');

  it('the fixture has inconclusive results, each with a step, and no decided result has one', () => {
    expect(undecided.length).to.be.greaterThan(0);
    for (const r of report.results) expect(r.decideBy !== undefined, r.name).to.equal(r.status === 'inconclusive');
  });

  it('json: decideBy follows detail', () => {
    const doc = JSON.parse(renderJson(report)) as { results: Record<string, unknown>[] };
    for (const r of doc.results.filter((x) => x.status === 'inconclusive')) {
      const keys = Object.keys(r);
      expect(keys.indexOf('decideBy'), String(r.name)).to.equal(keys.indexOf('detail') + 1);
    }
  });

  it('table: a "to decide:" line under each inconclusive entry', () => {
    const text = renderTable(report, { width: 400 });
    expect(text.match(/to decide: /g)).to.have.length(undecided.length);
    expect(text).to.contain('to decide: start a Running, Ready pod of it');
  });

  it('junit: a decideBy property and a "to decide:" line in the error body', () => {
    const xml = renderJunit(report);
    expect(xml.match(/<property name="decideBy"/g)).to.have.length(undecided.length);
    expect(xml).to.contain('to decide: start a Running, Ready pod of it');
  });

  it('tap: decideBy in the YAML diagnostics', () => {
    const text = renderTap(report);
    expect(text.match(/^ {2}decideBy: /gm)).to.have.length(undecided.length);
  });

  it('markdown: "To decide:" in the why cell, escaped like any cell', () => {
    const text = renderMarkdown(report);
    expect(text.match(/\*\*To decide:\*\* /g)).to.have.length(undecided.length);
    expect(text).to.contain('\\| &lt;the detail&gt; says \\*what\\*');
  });
});
