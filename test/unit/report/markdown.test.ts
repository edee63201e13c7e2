import { expect } from 'chai';
import { MARKDOWN_LIMIT, mdCell, mdCode, render } from '../../../src/report/markdown.ts';
import { bigReport } from '../support/big-report.ts';
import { fixture, fixtureChanging, fixtureWith } from './fixture.ts';

// Cells of a GFM table row: split on pipes that are not escaped.
function cells(row: string): string[] {
  return row.trim().slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
}

describe('markdown report', () => {
  const report = fixture();
  const text = render(report);
  const lines = text.split('\n');

  it('opens with a headline and the counts', () => {
    expect(lines[0]).to.equal('### ❌ netprobe: failed');
    expect(text).to.include('**2** leaks · **4** broken · **2** inconclusive · **5** passed · 13 total');
  });

  it('has one table row per non-pass, leaks then broken then inconclusive, each with six cells', () => {
    const head = lines.indexOf('| Status | Expectation | From | To | Expected / observed | Why |');
    expect(head).to.be.greaterThan(0);
    const rows: string[] = [];
    for (let i = head + 2; lines[i]?.startsWith('|'); i += 1) rows.push(lines[i] ?? '');
    expect(rows.map((r) => cells(r)[0])).to.deep.equal(['🔴 leak', '🔴 leak', '🟠 broken', '🟠 broken', '🟠 broken', '🟠 broken', '🟡 inconclusive', '🟡 inconclusive']);
    for (const r of rows) expect(cells(r), r).to.have.length(6);
  });

  it('puts run-level findings before the rows, naming the results they explain', () => {
    const names = report.results.map((r) => r.name);
    const withFindings = { ...report, findings: [{ pattern: 'not-enforcing' as const, message: 'every connection the policies deny was allowed', results: names }] };
    const md = render(withFindings).split('\n');
    const finding = md.findIndex((l) => l.startsWith('> **Finding (not-enforcing)**: every connection the policies deny was allowed'));
    expect(finding).to.be.greaterThan(0);
    expect(finding).to.be.below(md.indexOf('| Status | Expectation | From | To | Expected / observed | Why |'));
    expect(md[finding]).to.include(`seen in: ${names.slice(0, 5).map(mdCell).join(', ')}, and ${names.length - 5} more`);
    expect(lines.some((l) => l.includes('Finding'))).to.equal(false);
  });

  it('escapes pipes, line breaks and markup inside cells', () => {
    const row = lines.find((l) => l.includes('guest must not POST')) ?? '';
    expect(row).to.include('guest must not POST /admin \\| L7');
    expect(row).to.include('403<br>body began: &lt;html&gt;&amp;nbsp;');
    expect(mdCell('a|b\nc\r\nd <script> & *x* `y` [l](u)')).to.equal('a\\|b<br>c<br>d &lt;script&gt; &amp; \\*x\\* \\`y\\` \\[l\\](u)');
  });

  it('folds the passes into <details>, one row each', () => {
    const open = lines.indexOf('<details><summary>5 passed</summary>');
    const close = lines.indexOf('</details>', open);
    expect(open).to.be.greaterThan(0);
    const rows = lines.slice(open, close).filter((l) => l.startsWith('| ') && !l.startsWith('| Expectation') && !l.startsWith('| ---'));
    expect(rows).to.have.length(5);
    expect(rows.join('\n')).to.not.match(/leak|broken|inconclusive/);
  });

  it('gives every reproduce command in a code block no command can close', () => {
    expect(text).to.include('<details><summary>Reproduce by hand</summary>');
    for (const r of report.results.filter((x) => x.status !== 'pass' && x.reproduce)) expect(text).to.include(`\n${r.reproduce}\n`);
    expect(mdCode('echo ```x```')).to.equal('````sh\necho ```x```\n````');
  });

  it('never lets control characters through', () => {
    const out = render(fixtureChanging(9, { detail: 'x\u001b[31my\u0007' }));
    expect(out).to.not.match(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('says undecided when only inconclusive results fail, passed when none do', () => {
    expect(render(fixtureWith((r) => r.status === 'inconclusive' || r.status === 'pass')).split('\n')[0]).to.equal('### ⚠️ netprobe: undecided');
    const passed = render(fixtureWith((r) => r.status === 'pass'));
    expect(passed.split('\n')[0]).to.equal('### ✅ netprobe: passed');
    expect(passed).to.not.include('| Status |');
  });
});

describe('markdown report at scale: under GitHub\'s 1 MiB step-summary limit', () => {
  const size = (text: string): number => Buffer.byteLength(text);

  it('cuts nothing when it fits', () => {
    expect(render(fixture())).to.not.include('Cut to stay under');
  });

  it('sheds the list of passes first, keeping their count and every failure with its reproduce command', () => {
    const report = fixture();
    const full = render(report);
    const cut = render(report, size(full) - 1);
    expect(size(cut)).to.be.at.most(size(full) - 1);
    expect(cut).to.include('Cut to stay under GitHub\'s 1 MiB step-summary limit: the list of the 5 passes.');
    expect(cut).to.not.include('<details><summary>5 passed</summary>');
    expect(cut).to.include('**5** passed');
    for (const r of report.results.filter((x) => x.status !== 'pass')) expect(cut).to.include(mdCell(r.name));
    expect(cut).to.include('Reproduce by hand');
  });

  it('then the reproduce commands, then the last rows, worst kept, and says how many were cut', () => {
    const report = fixture();
    const noPasses = render(report, size(render(report)) - 1);
    const noReproduce = render(report, size(noPasses) - 1);
    expect(noReproduce).to.not.include('Reproduce by hand');
    expect(noReproduce).to.include('the list of the 5 passes and the reproduce commands');
    const limit = size(noReproduce) - 1;
    const rows = render(report, limit);
    expect(size(rows)).to.be.at.most(limit);
    const kept = rows.split('\n').filter((l) => /^\| (🔴|🟠|🟡) /.test(l));
    expect(kept.length).to.be.within(1, 7);
    expect(kept[0]).to.match(/^\| 🔴 leak /);
    expect(rows).to.include(`Cut to stay under GitHub's 1 MiB step-summary limit: ${8 - kept.length} of the 8 rows`);
  });

  it('keeps 10,000 expectations under 1 MB with every leak and broken path in full', () => {
    const report = bigReport(10_000, 50);
    const md = render(report);
    expect(size(md)).to.be.at.most(MARKDOWN_LIMIT);
    for (const r of report.results.filter((x) => x.status === 'leak' || x.status === 'broken')) expect(md).to.include(mdCell(r.name));
    expect(md).to.include('Cut to stay under');
  });
});
