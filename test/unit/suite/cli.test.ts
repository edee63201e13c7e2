// Runs the real binary (node bin/netprobe.js) and the main() entry point.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { main, type CliIO } from '../../../src/cli/main.ts';
import { CLUSTER_OPTIONS, clusterFlagsFrom } from '../../../src/cli/cluster-flags.ts';
import { parseCommandArgs } from '../../../src/cli/main.ts';

const run = promisify(execFile);

async function netprobe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/netprobe.js', ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

async function inProcess(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s) };
  const code = await main(args, io);
  return { code, out, err };
}

describe('netprobe CLI (binary)', () => {
  it('validate on the examples: exit 0 and counts', async () => {
    const r = await netprobe('validate', 'suites/examples');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^OK: 7 suites, 18 expectations, 25 cases \(7 files\)\n$/);
  });

  it('validate on broken files: exit 2, one file:line:col line per problem, no stack trace', async () => {
    const r = await netprobe('validate', 'test/fixtures/bad/many-errors.yaml', 'test/fixtures/bad/binary.yaml', 'nope.yaml');
    expect(r.code).to.equal(2);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).to.have.length(6);
    for (const line of lines) expect(line).to.match(/^[^:]+:\d+:\d+: \S/);
    expect(r.stdout + r.stderr).to.not.match(/\n\s+at /);
    expect(r.stderr).to.equal('netprobe validate: 6 problems in 3 files\n');
  });

  it('--only that matches nothing is an error; --list prints cases', async () => {
    const none = await netprobe('validate', '--only', 'no-such-tag', 'suites/examples');
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/--only no-such-tag matched no expectation/);
    const some = await netprobe('validate', '--only', 'dns,l7', '--list', 'suites/examples');
    expect(some.code).to.equal(0);
    expect(some.stdout).to.match(/^OK: 2 suites, 5 expectations, 5 cases/);
    expect(some.stdout).to.include('  dns-egress: web resolves cluster names\n');
  });

  it('--version, --help and usage errors', async () => {
    expect((await netprobe('--version')).stdout).to.match(/^netprobe \d+\.\d+\.\d+/);
    const help = await netprobe('--help');
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/validate\s+check suite files/);
    expect((await netprobe('bogus')).code).to.equal(2);
    expect((await netprobe('validate')).code).to.equal(2);
  });
});

describe('netprobe CLI (main)', () => {
  it('unknown command suggests the closest', async () => {
    const r = await inProcess('valdate', 'x');
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/unknown command `valdate`; did you mean `validate`\?/);
  });

  it('unknown flag: usage error with the command usage', async () => {
    const r = await inProcess('validate', '--frobnicate', 'x.yaml');
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/^netprobe validate: Unknown option '--frobnicate'/);
    expect(r.err).to.include('netprobe validate [--only NAME|TAG]');
  });

  it('a mistyped flag gets the closest one the command has', async () => {
    const r = await inProcess('validate', '--onyl', 'x', 'suites/');
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/^netprobe validate: Unknown option '--onyl'; did you mean --only\?/);
    const m = await inProcess('matrix', '--namespces=a,b');
    expect(m.err).to.match(/Unknown option '--namespces'; did you mean --namespaces\?/);
  });

  it('help CMD and CMD --help print the usage', async () => {
    const a = await inProcess('help', 'validate');
    const b = await inProcess('validate', '--help');
    expect(a.code).to.equal(0);
    expect(a.out).to.equal(b.out);
    expect(a.out).to.match(/^netprobe validate/);
    expect((await inProcess('help', 'nope')).code).to.equal(2);
    const afterDashes = await inProcess('validate', '--', '--help');
    expect(afterDashes.code).to.equal(2);
    expect(afterDashes.out).to.match(/^--help:1:1: no such file or folder/);
  });

  it('no arguments prints the overview and exits 2; a leading unknown flag is a usage error', async () => {
    expect((await inProcess()).code).to.equal(2);
    const r = await inProcess('--bogus');
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/unknown flag --bogus/);
  });
});

describe('cluster flags', () => {
  it('parses --kubeconfig, --context and -n/--namespace', () => {
    const { values, positionals } = parseCommandArgs(['--kubeconfig', '/k', '--context=dev', '-n', 'shop', 'suites/'], { ...CLUSTER_OPTIONS });
    expect(clusterFlagsFrom(values)).to.deep.equal({ kubeconfig: '/k', context: 'dev', namespace: 'shop' });
    expect(positionals).to.deep.equal(['suites/']);
    expect(clusterFlagsFrom({})).to.deep.equal({});
    expect(clusterFlagsFrom({ namespace: '' })).to.deep.equal({});
  });

  it('a missing value is a usage error', () => {
    expect(() => parseCommandArgs(['--context'], { ...CLUSTER_OPTIONS })).to.throw(/context/);
  });
});

describe('netprobe validate --format', () => {
  it('json: one object with counts or diagnostics', async () => {
    const ok = await inProcess('validate', '--format', 'json', 'suites/examples/udp.yaml');
    expect(ok.code).to.equal(0);
    expect(JSON.parse(ok.out)).to.deep.equal({ valid: true, files: 1, suites: 1, expectations: 2, cases: 3, policies: 0, diagnostics: [], warnings: [] });
    const bad = await inProcess('validate', '--format=json', 'test/fixtures/bad/unknown-endpoint.yaml');
    expect(bad.code).to.equal(2);
    const parsed = JSON.parse(bad.out) as { valid: boolean; diagnostics: { line: number; col: number }[] };
    expect(parsed.valid).to.equal(false);
    expect(parsed.diagnostics[0]).to.deep.include({ file: 'test/fixtures/bad/unknown-endpoint.yaml', line: 10, col: 13 });
  });

  it('github: workflow error annotations', async () => {
    const r = await inProcess('validate', '--format', 'github', 'test/fixtures/bad/unknown-key-top.yaml');
    expect(r.code).to.equal(2);
    expect(r.out).to.equal('::error file=test/fixtures/bad/unknown-key-top.yaml,line=11,col=3,title=netprobe validate::unknown key `extra` in spec; expected one of `defaults`, `endpoints` or `expectations`\n');
  });

  it('an unknown format is a usage error', async () => {
    expect((await inProcess('validate', '--format', 'xml', 'suites/examples')).code).to.equal(2);
  });
});
