// The HTML report as a file: self-contained, its data recoverable, nothing in a result able to end the
// data element or inject markup, secrets redacted, small at 1,000 expectations. What the page shows in
// a browser is test/browser/html-report.test.ts.
import { expect } from 'chai';
import { nodeOf } from '../../../src/report/common.ts';
import { pageData, render, scriptSafeJson, type PageData } from '../../../src/report/html.ts';
import { renderReport } from '../../../src/report/render.ts';
import { bigReport } from '../support/big-report.ts';
import { fixture, fixtureChanging } from './fixture.ts';

/** The JSON the page's script reads, parsed back out of the file. */
function dataOf(html: string): PageData {
  const m = /<script type="application\/json" id="np-data">([^]*?)<\/script>/.exec(html);
  if (m === null) throw new Error('no np-data element');
  return JSON.parse(m[1] ?? '') as PageData;
}

describe('html report', () => {
  it('carries the whole report as JSON the page can read back', () => {
    const report = fixture();
    const data = dataOf(render(report, '9.9.9'));
    expect(data.version).to.equal('9.9.9');
    expect(data.summary).to.deep.equal(report.summary);
    expect(data.run).to.deep.equal(report.run);
    expect(data.results.map((r) => r.name)).to.deep.equal(report.results.map((r) => r.name));
    expect(data.results[1]).to.include({ status: 'leak', source: 'sandbox/shell', destination: 'payments/db' });
  });

  it('marks a matrix page, whose script shows reachable / blocked / unknown instead of statuses', () => {
    const html = render(fixture(), '9.9.9', 'matrix');
    expect(dataOf(html).kind).to.equal('matrix');
    expect(dataOf(render(fixture())).kind).to.equal('report');
    expect(html).to.include('<title>netprobe matrix: 13 paths</title>');
  });

  it('makes one node per distinct source or destination, namespaced from the result or the label', () => {
    const data = pageData(fixture());
    const leak = data.results[1];
    expect(data.nodes[leak?.s ?? -1]).to.deep.equal({ ns: 'sandbox', label: 'shell' });
    expect(data.nodes[leak?.d ?? -1]).to.deep.equal({ ns: 'payments', label: 'db' });
    const keys = data.nodes.map((n) => `${n.ns}/${n.label}`);
    expect(new Set(keys).size).to.equal(keys.length);
    expect(nodeOf('web', 'demo-frontend')).to.deep.equal({ ns: 'demo-frontend', label: 'web' });
    expect(nodeOf('demo-api/svc/api', 'demo-api')).to.deep.equal({ ns: 'demo-api', label: 'svc/api' });
    expect(nodeOf('demo-api.api', 'demo-api')).to.deep.equal({ ns: 'demo-api', label: 'api' }); // matrix names
    expect(nodeOf('198.51.100.10', undefined)).to.deep.equal({ ns: '', label: '198.51.100.10' });
    expect(nodeOf('https://api.example/v1', undefined)).to.deep.equal({ ns: '', label: 'https://api.example/v1' });
  });

  it('cannot be cut short or injected into by text in a result', () => {
    const evil = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)>';
    const html = render(fixtureChanging(1, { detail: evil, name: `leak ${evil}` }));
    // Exactly the two script elements the page has: the data and the code.
    expect(html.match(/<\/script>/gi)).to.have.length(2);
    expect(html).to.not.include('<img');
    expect(html).to.not.include('<!--');
    const leak = dataOf(html).results[1];
    expect(leak?.detail).to.equal(evil);
    expect(leak?.name).to.equal(`leak ${evil}`);
    expect(scriptSafeJson({ a: '</SCRIPT>' })).to.equal('{"a":"\\u003c/SCRIPT>"}');
  });

  it('is one file: no external script, style, image, font or fetch', () => {
    const html = render(fixture());
    expect(html).to.not.match(/<script[^>]+src=/i);
    expect(html).to.not.match(/<link\b/i);
    // url(#id) is the SVG arrowheads' reference inside the page.
    expect(html).to.not.match(/url\((?!#)|@import/i);
    expect(html).to.not.match(/\bfetch\(|XMLHttpRequest|import\(/);
    expect(html).to.not.match(/(?:src|href)="?https?:/i);
  });

  it('sets data as text only: the page script never writes markup', () => {
    const html = render(fixture());
    expect(html).to.not.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('keeps secrets redacted like every other format', () => {
    const secret = 'SECRET-8d2e';
    const report = fixtureChanging(1, { reproduce: `curl -H 'Authorization: Bearer ${secret}' 'https://api.example/?token=${secret}'` });
    const html = renderReport('html', report);
    expect(html).to.not.include(secret);
    expect(dataOf(html).results[1]?.reproduce).to.equal(`curl -H 'Authorization: <redacted>' 'https://api.example/?token=<redacted>'`);
  });

  it('stays under 1 MB for 1,000 expectations across 50 namespaces', () => {
    const report = bigReport(1000, 50);
    const bytes = Buffer.byteLength(render(report));
    expect(report.results).to.have.length(1000);
    expect(bytes).to.be.below(1_000_000);
  });
});
