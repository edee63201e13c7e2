import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { OutputSpecError, OutputWriteError, parseOutputSpec, parseOutputSpecs, writeOutputs, type OutputStream } from '../../../src/report/outputs.ts';
import { parseReport } from '../../../src/report/load.ts';
import { redactDeep } from '../../../src/util/redact.ts';
import { fixture, thrownMessage } from './fixture.ts';

function fakeStdout(isTTY = false): OutputStream & { text: string } {
  return {
    isTTY,
    columns: 80,
    text: '',
    write(chunk: string): void {
      this.text += chunk;
    },
  };
}

function usageError(values: string[]): string {
  return thrownMessage(() => parseOutputSpecs(values, '/work'), OutputSpecError);
}

describe('output specs', () => {
  it('defaults to the table on stdout', () => {
    expect(parseOutputSpecs([])).to.deep.equal([{ format: 'table' }]);
  });

  it('reads FORMAT and FORMAT=FILE, with - for stdout', () => {
    expect(parseOutputSpec('json')).to.deep.equal({ format: 'json' });
    expect(parseOutputSpec('junit=out/junit.xml')).to.deep.equal({ format: 'junit', file: 'out/junit.xml' });
    expect(parseOutputSpec('tap=-')).to.deep.equal({ format: 'tap' });
    expect(parseOutputSpec('markdown=a=b.md')).to.deep.equal({ format: 'markdown', file: 'a=b.md' });
  });

  it('keeps the table on stdout when every output goes to a file', () => {
    expect(parseOutputSpecs(['json=r.json', 'junit=r.xml'])).to.deep.equal([
      { format: 'table' },
      { format: 'json', file: 'r.json' },
      { format: 'junit', file: 'r.xml' },
    ]);
    expect(parseOutputSpecs(['json', 'junit=r.xml'])).to.deep.equal([{ format: 'json' }, { format: 'junit', file: 'r.xml' }]);
  });

  it('rejects unknown or empty formats and empty files', () => {
    expect(usageError(['xml'])).to.equal('-o xml: unknown output format "xml"; expected one of table, json, junit, tap, markdown, html, github, github-output, optionally =FILE');
    expect(usageError(['JSON'])).to.include('unknown output format "JSON"');
    expect(usageError(['=r.json'])).to.include('-o =r.json: an empty format');
    expect(usageError(['json='])).to.equal('-o json=: no file after "="; give json=FILE, or json alone for stdout');
  });

  it('rejects two outputs on stdout', () => {
    expect(usageError(['json', 'tap'])).to.equal('-o: json and tap would both go to stdout; only one output may, give the others a file (e.g. -o tap=FILE)');
    expect(usageError(['table', 'json=-'])).to.include('table and json would both go to stdout');
  });

  it('rejects the same file twice, however it is spelled', () => {
    expect(usageError(['json=out/r', 'junit=./out/../out/r'])).to.equal('-o: json=out/r and junit=./out/../out/r write the same file; give each output its own file');
    expect(usageError(['json=/work/r.json', 'json=r.json'])).to.include('write the same file');
  });
});

describe('writing outputs', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netprobe-outputs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every format to its file, creating folders, and the table to stdout', async () => {
    const report = fixture();
    const stdout = fakeStdout();
    const specs = parseOutputSpecs(['json=a/b/r.json', 'junit=a/r.xml', 'tap=r.tap', 'markdown=c/summary.md'], dir);
    const written = await writeOutputs(report, specs, { stdout, env: {}, cwd: dir });
    expect(written).to.deep.equal(['a/b/r.json', 'a/r.xml', 'r.tap', 'c/summary.md'].map((f) => join(dir, f)));
    // What is saved is the report with its secrets redacted: here one query string in a reproduce line.
    const saved = parseReport(await readFile(join(dir, 'a/b/r.json'), 'utf8'));
    expect(saved).to.deep.equal(redactDeep(report));
    expect(saved.results.filter((r, i) => r.reproduce !== report.results[i]!.reproduce).map((r) => r.reproduce)).to.deep.equal([
      "kubectl exec -n edge netprobe-src-4 -- curl -s -o /dev/null -w '%{http_code}' -X POST 'http://admin.edge.svc/admin?a=<redacted>&b=<redacted>'",
    ]);
    expect(await readFile(join(dir, 'a/r.xml'), 'utf8')).to.match(/^<\?xml/);
    expect(await readFile(join(dir, 'r.tap'), 'utf8')).to.match(/^TAP version 13\n1\.\.13\n/);
    expect(await readFile(join(dir, 'c/summary.md'), 'utf8')).to.match(/^### ❌ netprobe: failed/);
    expect(stdout.text).to.match(/^netprobe run suites\//);
    expect(stdout.text).to.not.include('\u001b');
    expect(await readdir(join(dir, 'a'))).to.deep.equal(['b', 'r.xml']);
  });

  it('colours the table on a TTY unless NO_COLOR, and never in files', async () => {
    const report = fixture();
    const tty = fakeStdout(true);
    await writeOutputs(report, parseOutputSpecs(['table=t.txt'], dir), { stdout: tty, env: {}, cwd: dir });
    expect(tty.text).to.include('\u001b[');
    expect(await readFile(join(dir, 't.txt'), 'utf8')).to.not.include('\u001b');
    const plain = fakeStdout(true);
    await writeOutputs(report, parseOutputSpecs([]), { stdout: plain, env: { NO_COLOR: '1' }, cwd: dir });
    expect(plain.text).to.not.include('\u001b');
  });

  it('writes one chosen format alone to stdout', async () => {
    const stdout = fakeStdout();
    await writeOutputs(fixture(), parseOutputSpecs(['json'], dir), { stdout, env: {}, cwd: dir });
    expect(parseReport(stdout.text).summary.total).to.equal(13);
  });

  it('replaces an existing file whole', async () => {
    await writeFile(join(dir, 'r.json'), 'x'.repeat(100_000));
    await writeOutputs(fixture(), parseOutputSpecs(['json=r.json'], dir), { stdout: fakeStdout(), env: {}, cwd: dir });
    expect(parseReport(await readFile(join(dir, 'r.json'), 'utf8')).summary.total).to.equal(13);
    expect(await readdir(dir)).to.deep.equal(['r.json']);
  });

  it('appends to the GitHub step summary instead of replacing it', async () => {
    const summary = join(dir, 'step_summary');
    await writeFile(summary, 'earlier step\n');
    const env = { GITHUB_STEP_SUMMARY: summary };
    await writeOutputs(fixture(), parseOutputSpecs([`markdown=${summary}`], dir), { stdout: fakeStdout(), env, cwd: dir });
    const text = await readFile(summary, 'utf8');
    expect(text).to.match(/^earlier step\n### ❌ netprobe: failed/);
  });

  it('appends the step outputs to $GITHUB_OUTPUT, keeping what the step wrote before', async () => {
    const outputs = join(dir, 'github_output');
    await writeFile(outputs, 'earlier=1\n');
    await writeOutputs(fixture(), parseOutputSpecs([`github-output=${outputs}`], dir), { stdout: fakeStdout(), env: { GITHUB_OUTPUT: outputs }, cwd: dir });
    expect(await readFile(outputs, 'utf8')).to.match(/^earlier=1\nverdict=failed\ntotal=13\n/);
  });

  it('tries every file, then reports all that failed together', async () => {
    await writeFile(join(dir, 'blocker'), 'a file, not a folder');
    const stdout = fakeStdout();
    const specs = parseOutputSpecs(['json=blocker/r.json', 'junit=ok.xml', 'tap=blocker/r.tap'], dir);
    let caught: unknown;
    try {
      await writeOutputs(fixture(), specs, { stdout, env: {}, cwd: dir });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(OutputWriteError);
    const problems = (caught as OutputWriteError).problems;
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^blocker\/r\.json: /);
    expect(problems[1]).to.match(/^blocker\/r\.tap: /);
    expect(await readFile(join(dir, 'ok.xml'), 'utf8')).to.match(/^<\?xml/);
    expect(stdout.text).to.include('FAILED');
  });
});
