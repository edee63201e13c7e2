// `netprobe report diff`: each kind of change, the exit code for "got worse", every format, redaction.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { Parser, type FinalResults } from 'tap-parser';
import { runReport } from '../../../src/cli/commands/report.ts';
import { changeKind, diffReports, diffVerdict } from '../../../src/report/diff.ts';
import { renderDiff } from '../../../src/report/diff-render.ts';
import { render as renderJson } from '../../../src/report/json.ts';
import { FORMATS } from '../../../src/report/render.ts';
import { EXIT, summarize, type Report, type Result } from '../../../src/verdict/model.ts';
import { fixture } from './fixture.ts';

/** The fixture with some results changed (by index), some removed, some added; summary recounted. */
function changed(edits: Record<number, Partial<Result>>, options: { remove?: number[]; add?: Result[] } = {}): Report {
  const report = fixture();
  const results = report.results
    .map((r, i) => ({ ...r, ...edits[i] }))
    .filter((_, i) => !(options.remove ?? []).includes(i))
    .concat(options.add ?? []);
  return { ...report, run: { ...report.run, id: 'run-new' }, results, summary: summarize(results) };
}

const PASS_ALLOW = 0; // "frontend may reach the API": pass, allowed, connected
const LEAK = 1; // "sandbox must not reach the database": leak

describe('report diff: kinds of change', () => {
  const base = fixture().results[PASS_ALLOW] as Result;
  const kind = (before: Partial<Result>, after: Partial<Result>): string | undefined => changeKind({ ...base, ...before }, { ...base, ...after });

  it('names each change of status and evidence', () => {
    expect(kind({ status: 'pass' }, { status: 'leak' })).to.equal('new-leak');
    expect(kind({ status: 'inconclusive' }, { status: 'broken' })).to.equal('new-broken');
    expect(kind({ status: 'broken' }, { status: 'leak' })).to.equal('new-leak');
    expect(kind({ status: 'pass' }, { status: 'inconclusive' })).to.equal('newly-inconclusive');
    expect(kind({ status: 'leak' }, { status: 'pass' })).to.equal('fixed');
    expect(kind({ status: 'inconclusive' }, { status: 'pass' })).to.equal('status-changed');
    expect(kind({ status: 'leak' }, { status: 'inconclusive' })).to.equal('status-changed');
    expect(kind({ outcome: 'timeout', observed: 'denied' }, { outcome: 'refused', observed: 'denied' })).to.equal('evidence-changed');
    expect(kind({ outcome: 'http-status', httpStatus: 200 }, { outcome: 'http-status', httpStatus: 403 })).to.equal('evidence-changed');
    expect(kind({ durationMs: 3, detail: 'a' }, { durationMs: 900, detail: 'b' })).to.equal(undefined);
  });

  it('matches results by name: added, removed, unchanged; the worst first', () => {
    const extra = { ...(fixture().results[2] as Result), name: 'brand new' };
    const diff = diffReports(fixture(), changed({ [LEAK]: { status: 'pass', observed: 'denied', outcome: 'timeout' }, [PASS_ALLOW]: { status: 'broken', observed: 'denied', outcome: 'timeout' } }, { remove: [5], add: [extra] }));
    expect(diff.changes.map((c) => [c.kind, c.name])).to.deep.equal([
      ['new-broken', 'frontend may reach the API'],
      ['fixed', 'sandbox must not reach the database'],
      ['added', 'brand new'],
      ['removed', fixture().results[5]?.name],
    ]);
    expect(diff.unchanged).to.equal(fixture().results.length - 3);
  });

  it('is worse on a new failure or an added failing expectation, undecided on lost proof only', () => {
    const failing = { ...(fixture().results[LEAK] as Result), name: 'added leak' };
    expect(diffVerdict(diffReports(fixture(), fixture()))).to.equal('not-worse');
    expect(diffVerdict(diffReports(fixture(), changed({ [PASS_ALLOW]: { status: 'leak' } })))).to.equal('worse');
    expect(diffVerdict(diffReports(fixture(), changed({}, { add: [failing] })))).to.equal('worse');
    expect(diffVerdict(diffReports(fixture(), changed({ [PASS_ALLOW]: { status: 'inconclusive', observed: 'unknown', outcome: 'error' } })))).to.equal('undecided');
    expect(diffVerdict(diffReports(fixture(), changed({ [LEAK]: { status: 'pass' } })))).to.equal('not-worse');
  });
});

describe('report diff: formats', () => {
  const newer = changed({ [PASS_ALLOW]: { status: 'leak' }, [LEAK]: { status: 'pass' }, 3: { status: 'inconclusive', observed: 'unknown', outcome: 'error' } });

  it('renders in every format with the same counts', async () => {
    const out = Object.fromEntries(FORMATS.map((f) => [f, renderDiff(f, fixture(), newer)]));
    expect(out.table).to.match(/^netprobe report diff: WORSE \(new leaks or broken paths\)\n/);
    expect(out.table).to.include('NEW LEAK  frontend may reach the API [payments]');
    const json = JSON.parse(out.json ?? '') as { schemaVersion: string; verdict: string; counts: Record<string, number> };
    expect(json).to.include({ schemaVersion: 'netprobe.dev/report-diff/v1', verdict: 'worse' });
    expect(json.counts).to.include({ 'new-leak': 1, fixed: 1 });
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(out.junit ?? '') as { testsuites: Record<string, string> };
    expect(json.counts).to.include({ 'newly-inconclusive': 1 }); // result 3 was a pass
    expect(junit.testsuites).to.include({ tests: '3', failures: '1', errors: '1' });
    const tap = await new Promise<FinalResults>((done) => new Parser(done).end(out.tap));
    expect(tap).to.include({ ok: false, count: 3, pass: 1, fail: 2 });
    expect(out.markdown).to.match(/^### ❌ netprobe diff: worse/);
    expect(out.html).to.include('<h1 id="verdict" data-verdict="worse">');
  });

  it('escapes markup in HTML and keeps secrets out of every format', () => {
    const secret = 'SECRET-51ab';
    const newer2 = changed({ [PASS_ALLOW]: { status: 'leak', detail: `<script>x</script> GET https://api.example/?token=${secret}` } });
    for (const f of FORMATS) expect(renderDiff(f, fixture(), newer2), f).to.not.include(secret);
    expect(renderDiff('html', fixture(), newer2)).to.not.include('<script>');
  });
});

describe('netprobe report diff', () => {
  let dir = '';
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
  const run = (...args: string[]): Promise<number> => runReport(['diff', ...args], io, { isTTY: false }, {}, dir);
  const save = async (name: string, report: Report): Promise<string> => {
    await writeFile(join(dir, name), renderJson(report));
    return name;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netprobe-diff-'));
    out = '';
    err = '';
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 when worse, 3 when proof was lost, 0 otherwise', async () => {
    const old = await save('old.json', fixture());
    expect(await run(old, await save('worse.json', changed({ [PASS_ALLOW]: { status: 'leak' } })))).to.equal(EXIT.failed);
    expect(out).to.include('NEW LEAK');
    expect(await run(old, await save('lost.json', changed({ [PASS_ALLOW]: { status: 'inconclusive', observed: 'unknown', outcome: 'error' } })))).to.equal(EXIT.undecided);
    expect(await run(old, await save('fixed.json', changed({ [LEAK]: { status: 'pass' } })))).to.equal(EXIT.ok);
    expect(err).to.equal('');
  });

  it('gives usage errors and unreadable reports exit 2', async () => {
    const old = await save('old.json', fixture());
    expect(await run(old)).to.equal(EXIT.usage);
    expect(err).to.include('expected OLD.json and NEW.json, got 1 paths');
    expect(await run('-', '-')).to.equal(EXIT.usage);
    expect(await run(old, 'missing.json')).to.equal(EXIT.usage);
    expect(err).to.include('netprobe report diff: cannot read missing.json: no such file');
    expect(await run(old, old, '-o', 'xml')).to.equal(EXIT.usage);
  });
});
