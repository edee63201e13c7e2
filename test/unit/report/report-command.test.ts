import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { command, runReport } from '../../../src/cli/commands/report.ts';
import { render as renderJson } from '../../../src/report/json.ts';
import { EXIT, type Report } from '../../../src/verdict/model.ts';
import { fixtureWith, FIXTURE_FILE } from './fixture.ts';

describe('netprobe report', () => {
  let dir = '';
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
  const run = (...args: string[]): Promise<number> => runReport(args, io, { isTTY: false }, {}, dir);
  const save = async (name: string, report: Report): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, renderJson(report));
    return file;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netprobe-report-'));
    out = '';
    err = '';
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the table and exits 1 for a report with leaks and broken paths', async () => {
    expect(await run(FIXTURE_FILE)).to.equal(EXIT.failed);
    expect(out).to.include('FAILED 2 leaks, 4 broken, 2 inconclusive, 5 passed (13 total)');
    expect(err).to.equal('');
  });

  it('exits 3 when only inconclusive results stand besides passes, 0 when all passed', async () => {
    expect(await run(await save('undecided.json', fixtureWith((r) => r.status === 'pass' || r.status === 'inconclusive')))).to.equal(EXIT.undecided);
    expect(await run(await save('passed.json', fixtureWith((r) => r.status === 'pass')))).to.equal(EXIT.ok);
  });

  it('writes every requested format', async () => {
    const code = await run(FIXTURE_FILE, '-o', 'junit=out/r.xml', '--output', 'markdown=out/s.md', '-o', 'tap', '-o', 'html=out/r.html');
    expect(code).to.equal(EXIT.failed);
    expect(out).to.match(/^TAP version 13\n/);
    expect(await readFile(join(dir, 'out/r.xml'), 'utf8')).to.include('<testsuites name="netprobe" tests="13" failures="6" errors="2"');
    expect(await readFile(join(dir, 'out/s.md'), 'utf8')).to.match(/^### ❌ netprobe: failed/);
    expect(await readFile(join(dir, 'out/r.html'), 'utf8')).to.include('<title>netprobe failed: 2 leaks, 4 broken, 2 inconclusive, 5 passed (13 total)</title>');
  });

  it('gives usage errors with exit 2', async () => {
    expect(await run()).to.equal(EXIT.usage);
    expect(err).to.match(/^netprobe report: no RESULTS\.json given\n\nnetprobe report /);
    err = '';
    expect(await run('a.json', 'b.json')).to.equal(EXIT.usage);
    expect(err).to.match(/expected one RESULTS\.json, got 2 paths/);
    err = '';
    expect(await run(FIXTURE_FILE, '-o', 'xml')).to.equal(EXIT.usage);
    expect(err).to.match(/^netprobe report: -o xml: unknown output format "xml"/);
    err = '';
    expect(await run(FIXTURE_FILE, '--colour')).to.equal(EXIT.usage);
    expect(err).to.match(/^netprobe report: Unknown option '--colour'/);
    expect(out).to.equal('');
  });

  it('says in one line when the file is missing or not a report', async () => {
    expect(await run(join(dir, 'nope.json'))).to.equal(EXIT.usage);
    expect(err).to.equal(`netprobe report: cannot read ${join(dir, 'nope.json')}: no such file\n`);
    err = '';
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"schemaVersion": "netprobe.dev/report/v1", "results": 3}');
    expect(await run(bad)).to.equal(EXIT.usage);
    expect(err).to.include(`netprobe report: ${bad}: not a valid netprobe report:\n  run: required but missing`);
  });

  it('exits 2 when an output cannot be written, after writing the rest', async () => {
    await writeFile(join(dir, 'blocker'), '');
    expect(await run(FIXTURE_FILE, '-o', 'json=blocker/r.json')).to.equal(EXIT.usage);
    expect(err).to.match(/^netprobe report: could not write an output:\n {2}blocker\/r\.json: /);
    expect(out).to.include('FAILED');
  });

  it('prints its usage for -h and has the shape of a command', async () => {
    expect(await run('-h')).to.equal(EXIT.ok);
    expect(out).to.equal(command.usage);
    expect(command.name).to.equal('report');
    expect(command.usage.split('\n')[0]).to.equal('netprobe report [-o FORMAT[=FILE]]... RESULTS.json');
  });
});
