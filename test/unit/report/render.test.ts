import { expect } from 'chai';
import { Parser, type FinalResults } from 'tap-parser';
import { XMLParser } from 'fast-xml-parser';
import { FORMATS, isFormat, renderReport } from '../../../src/report/render.ts';
import { fixtureWith } from './fixture.ts';

describe('rendering by format', () => {
  // Only inconclusive results besides passes: every format must show the run as not passed.
  const undecided = fixtureWith((r) => r.status === 'pass' || r.status === 'inconclusive');

  it('knows the eight formats', () => {
    expect(FORMATS).to.deep.equal(['table', 'json', 'junit', 'tap', 'markdown', 'html', 'github', 'github-output']);
    expect(isFormat('junit')).to.equal(true);
    expect(isFormat('xml')).to.equal(false);
  });

  it('never renders an inconclusive result as a pass, in any format', async () => {
    const out = Object.fromEntries(FORMATS.map((f) => [f, renderReport(f, undecided)]));
    expect(out.table).to.match(/^UNDECIDED /m);
    expect(out.markdown).to.match(/^### ⚠️ netprobe: undecided/);
    expect(out.html).to.include('<title>netprobe undecided: 0 leaks, 0 broken, 2 inconclusive, 5 passed (7 total)</title>');
    expect((JSON.parse(out.json ?? '') as { summary: object }).summary).to.include({ inconclusive: 2, pass: 5 });
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(out.junit ?? '') as { testsuites: Record<string, string> };
    expect(junit.testsuites).to.include({ tests: '7', errors: '2', failures: '0', skipped: '0' });
    const tap = await new Promise<FinalResults>((done) => new Parser(done).end(out.tap));
    expect(tap).to.include({ ok: false, pass: 5, fail: 2, todo: 0, skip: 0 });
    expect(out.github?.match(/^::warning /gm)).to.have.length(2);
    expect(out['github-output']).to.match(/^verdict=undecided\n/);
  });

  it('applies the text style to the table only', () => {
    expect(renderReport('table', undecided, { color: true })).to.include('\u001b[');
    for (const f of FORMATS.filter((x) => x !== 'table')) expect(renderReport(f, undecided, { color: true }), f).to.not.include('\u001b[');
  });
});
