import { expect } from 'chai';
import { render } from '../../../src/report/table.ts';
import { displayWidth } from '../../../src/report/text.ts';
import { fixture, fixtureChanging, fixtureWith } from './fixture.ts';

const ESC = '\u001b';

describe('table report', () => {
  const report = fixture();
  const text = render(report, { color: false, width: 80 });
  const lines = text.split('\n');

  it('lists leaks, then broken, then inconclusive, every non-pass once', () => {
    const order = lines.filter((l) => /^ {2}[✗?] (LEAK|BROKEN|INCONCLUSIVE) /.test(l)).map((l) => l.split(' ')[3]);
    expect(order).to.deep.equal(['LEAK', 'LEAK', 'BROKEN', 'BROKEN', 'BROKEN', 'BROKEN', 'INCONCLUSIVE', 'INCONCLUSIVE']);
    for (const r of report.results.filter((x) => x.status !== 'pass')) {
      expect(lines.filter((l) => l.includes(` ${r.name.replace('\n', ' ')}  (`)), r.name).to.have.length(1);
    }
  });

  it('says for every non-pass the path, expect vs observed, why and how to reproduce', () => {
    expect(text).to.include('sandbox/shell → payments/db:5432/TCP');
    expect(text).to.include('expected deny, observed allowed (connected)');
    expect(text).to.include('expected allow, observed denied (http-status 403)');
    expect(text).to.include("why: TCP handshake to 10.0.2.15:5432");
    const leak = report.results.find((r) => r.status === 'leak');
    expect(text).to.include(`reproduce: ${leak?.reproduce}`);
    expect(text).to.include('at suites/payments.yaml:31:7');
    expect(text).to.include('policy: predicted allowed; policies: payments/db-ingress');
  });

  it('shows passes as one count and ends with the summary line', () => {
    expect(lines.filter((l) => l.includes('frontend may reach the API'))).to.have.length(0);
    expect(text).to.include('\n✓ 5 passed\n');
    expect(lines.at(-2)).to.equal('FAILED 2 leaks, 4 broken, 2 inconclusive, 5 passed (13 total) in 42.5 s');
  });

  it('never marks an inconclusive result as a pass', () => {
    const only = fixtureWith((r) => r.status === 'inconclusive' || r.status === 'pass');
    const out = render(only, { color: false });
    expect(out).to.match(/^UNDECIDED /m);
    expect(out).to.not.match(/PASSED/);
    for (const line of out.split('\n').filter((l) => l.includes('ghost target'))) expect(line).to.not.include('✓');
  });

  it('says PASSED when every expectation held, and handles an empty report', () => {
    expect(render(fixtureWith((r) => r.status === 'pass'))).to.match(/^PASSED 0 leaks, 0 broken, 0 inconclusive, 5 passed/m);
    expect(render(fixtureWith(() => false))).to.match(/^PASSED 0 leaks.*\(0 total\)/m);
  });

  it('writes no escape codes without colour, and colours with it', () => {
    expect(text).to.not.include(ESC);
    const coloured = render(report, { color: true });
    expect(coloured).to.include(`${ESC}[31m`);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).to.equal(render(report, { color: false }));
  });

  it('shows control characters from results as visible escapes, never raw', () => {
    const out = render(fixtureChanging(9, { detail: 'evil \u001b]0;title\u0007 \u001b[2J end' }), { color: false });
    expect(out).to.not.include(ESC);
    expect(out).to.include('evil \\x1b]0;title\\x07 \\x1b[2J end');
    expect(out).to.not.include('\u0007');
  });

  it('wraps the why and policy text to the width but never a reproduce command', () => {
    for (const width of [40, 60, 120]) {
      const out = render(report, { color: false, width }).split('\n');
      const prose = out.filter((l) => /^ {4}(why|policy):|^ {9,}\S/.test(l));
      expect(prose.length).to.be.greaterThan(8);
      for (const line of prose) {
        // a single word longer than the line is left whole so it stays copyable
        const longest = Math.max(...line.trim().split(' ').map((w) => displayWidth(w)));
        if (longest + 16 > width) continue;
        expect(displayWidth(line), `${width}: ${line}`).to.be.at.most(width);
      }
      const leak = report.results.find((r) => r.status === 'leak');
      expect(out).to.include(`    reproduce: ${leak?.reproduce}`);
    }
  });

  it('keeps a detail that spans lines indented under its label', () => {
    const i = lines.findIndex((l) => l.includes('why: no SYN-ACK within 2 s'));
    expect(lines[i + 1]).to.match(/^ {9}the egress half is missing/);
  });

  it('uses ASCII symbols when asked', () => {
    const out = render(report, { color: false, unicode: false });
    expect(out).to.include('  x LEAK sandbox must not reach the database');
    expect(out).to.include('sandbox/shell -> payments/db:5432/TCP');
    expect(out).to.include('\nok 5 passed\n');
  });
});
