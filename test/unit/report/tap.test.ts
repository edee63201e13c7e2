import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Parser, type FinalResults } from 'tap-parser';
import { render, tapDescription } from '../../../src/report/tap.ts';
import type { Report } from '../../../src/verdict/model.ts';
import { fixture, fixtureChanging, fixtureWith } from './fixture.ts';

interface Point {
  ok: boolean;
  id: number;
  name: string;
  todo: boolean | string;
  skip: boolean | string;
  diag: Record<string, unknown> | null;
}

async function parse(text: string): Promise<{ final: FinalResults; points: Point[]; version?: number }> {
  const points: Point[] = [];
  let version: number | undefined;
  const final = await new Promise<FinalResults>((done) => {
    const parser = new Parser({ strict: true }, done);
    parser.on('assert', (p: Point) => points.push(p));
    parser.on('version', (v: number) => (version = v));
    parser.end(text);
  });
  return { final, points, version };
}

describe('tap report', () => {
  const report = fixture();

  it('parses as strict TAP 14 with a plan matching the results', async () => {
    const { final, version } = await parse(render(report));
    expect(version).to.equal(13);
    expect(final.plan).to.include({ start: 1, end: 13 });
    expect(final.count).to.equal(13);
    expect(final.bailout).to.equal(false);
  });

  it('counts only passes as passing: leak, broken and inconclusive fail, with no TODO or SKIP', async () => {
    const { final } = await parse(render(report));
    expect(final).to.include({ ok: false, pass: 5, fail: 8, todo: 0, skip: 0 });
  });

  it('fails a run whose only non-passes are inconclusive', async () => {
    const { final } = await parse(render(fixtureWith((r) => r.status !== 'leak' && r.status !== 'broken')));
    expect(final).to.include({ ok: false, pass: 5, fail: 2 });
  });

  it('passes a run where every expectation held', async () => {
    const { final } = await parse(render(fixtureWith((r) => r.status === 'pass')));
    expect(final).to.include({ ok: true, pass: 5, fail: 0 });
  });

  it('names each point suite: name and gives every non-pass its YAML diagnostics', async () => {
    const { points } = await parse(render(report));
    report.results.forEach((r, i) => {
      const p = points[i] as Point;
      expect(p.name).to.equal(`${r.suite}: ${r.name}`);
      expect(p.ok).to.equal(r.status === 'pass');
      if (r.status === 'pass') return;
      expect(p.diag, r.name).to.include({ status: r.status, expect: r.expect, observed: r.observed, outcome: r.outcome, detail: r.detail.replace(/\u001b/g, '\\x1b').replace(/\u0007/g, '\\x07'), at: r.location });
      if (r.reproduce !== undefined) expect(p.diag?.reproduce).to.equal(r.reproduce);
      else expect(p.diag).to.not.have.property('reproduce');
    });
  });

  it('keeps multi-line and unicode detail intact in the YAML block', async () => {
    const { points } = await parse(render(report));
    expect(points[2]?.diag?.detail).to.equal(report.results[2]?.detail);
    expect(points[6]?.diag?.detail).to.equal('NXDOMAIN from 10.96.0.10 for 数据库.example — résolution échouée ✗');
    expect(points[5]?.diag?.httpStatus).to.equal(200);
  });

  it('escapes # and \\ in descriptions so nothing reads as a directive', async () => {
    const changed: Report = fixtureChanging(1, { name: 'a # TODO not really \\ x\nsecond line' });
    const { final, points } = await parse(render(changed));
    expect(final.todo).to.equal(0);
    expect(points[1]?.name).to.equal('payments: a # TODO not really \\ x second line');
    expect(points[1]?.ok).to.equal(false);
    expect(tapDescription('x # SKIP y')).to.equal('x \\# SKIP y');
  });

  it('keeps a YAML end marker inside detail from closing the block', async () => {
    const changed = fixtureChanging(1, { detail: 'first\n...\n---\nnot ok 99 - fake' });
    const { final, points } = await parse(render(changed));
    expect(final.count).to.equal(13);
    expect(points[1]?.diag?.detail).to.equal('first\n...\n---\nnot ok 99 - fake');
  });
});

describe('tap report read by Perl\'s prove', () => {
  it('parses with no error: every test point counted, the non-passes failed', function () {
    // prove comes with Debian's perl; without it there is nothing to check against.
    if (spawnSync('prove', ['--version']).status !== 0) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'netprobe-prove-'));
    try {
      const file = join(dir, 'r.tap');
      writeFileSync(file, render(fixtureChanging(1, { detail: 'first\n...\n---\nnot ok 99 - fake: "quoted" \\ back' })));
      const run = spawnSync('prove', ['--verbose', '--exec', 'cat', file], { encoding: 'utf8' });
      const out = `${run.stdout}${run.stderr}`;
      expect(out).to.not.include('Parse errors');
      expect(out).to.include('Tests: 13 Failed: 8');
      expect(out).to.include('Failed tests:  2-3, 5-7, 10-11, 13');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
