// The GitHub Action (action.yml, action/*.sh) run as the runner runs it (test/package/action-runner.ts),
// from a workspace outside the checkout: it installs the linux-amd64 executable from a "release" served on
// 127.0.0.1, checked against the sha256 that scripts/pin-action.ts pinned into a copy of the action (as
// scripts/release does on the commit it tags), then runs the demo suites, with their planted leak, broken
// path and inconclusive result, against the local cluster.
import { expect } from 'chai';
import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ARCHIVE, localRelease, runAction, type ActionRun, type Job, type LocalRelease } from './action-runner.ts';
import { clusterEnvWithoutImages, exec, pathWithoutNode, removeTempDirs, REPO, tempDir } from './support.ts';

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };

interface Annotation {
  level: string;
  props: Record<string, string>;
  message: string;
}

/**
 * The `::error` and `::warning` commands of a log as the runner reads them: lines trimmed of leading
 * space, none while commands are stopped (`::stop-commands::TOKEN` until `::TOKEN::`), properties unescaped.
 */
function annotations(log: string): Annotation[] {
  const unescape = (s: string): string => s.replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const found: Annotation[] = [];
  let stoppedBy: string | undefined;
  for (const line of log.split('\n').map((l) => l.trimStart())) {
    if (stoppedBy !== undefined) {
      if (line === `::${stoppedBy}::`) stoppedBy = undefined;
      continue;
    }
    stoppedBy = /^::stop-commands::(.+)$/.exec(line)?.[1];
    const m = /^::(error|warning) ([^\n]*?)::(.*)$/.exec(line);
    if (m === null) continue;
    const props = Object.fromEntries((m[2] ?? '').split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), unescape(kv.slice(kv.indexOf('=') + 1))]));
    found.push({ level: m[1] ?? '', props, message: unescape(m[3] ?? '') });
  }
  return found;
}

/**
 * A stand-in for netprobe (for the action's own logic, no cluster): writes each -o FORMAT=FILE it is
 * given (a leak's annotation, counts of one leak), prints `::` lines on stdout and stderr as text from a
 * cluster could, and exits 1 (or $FAKE_EXIT).
 */
const FAKE_NETPROBE = `#!/bin/bash
for a in "$@"; do
  case $a in
    github=*) echo '::error file=suites/planted-bugs.yaml,line=15,col=7,title=netprobe leak%3A x::the real one' >"\${a#github=}" ;;
    github-output=*) printf 'verdict=failed\\ntotal=1\\npass=0\\nleak=1\\nbroken=0\\ninconclusive=0\\nrun-id=abc\\n' >"\${a#github-output=}" ;;
    markdown=*) echo '### netprobe' >>"\${a#markdown=}" ;;
    json=*) mkdir -p "$(dirname "\${a#json=}")" && echo '{}' >"\${a#json=}" ;;
  esac
done
echo '  ::error file=README.md,line=1::injected from an HTTP body'
echo '::warning::injected on stderr' >&2
echo '::add-mask::leak'
exit "\${FAKE_EXIT:-1}"
`;

describe('the GitHub Action, run as the runner runs it', function () {
  this.timeout(600_000);
  let release: LocalRelease;
  let actionPath: string;
  let cluster: NodeJS.ProcessEnv | undefined;
  let tools: string;

  /**
   * A fresh job: its own workspace (holding the demo suites) and runner temp folder. Its PATH has the
   * runner's shell tools and no Node (/usr/bin holds one here), so only the installed executable can run.
   */
  function job(env: NodeJS.ProcessEnv = cluster ?? process.env): Job {
    const workspace = tempDir('action-workspace');
    cpSync(path.join(REPO, 'suites/demo'), path.join(workspace, 'suites'), { recursive: true });
    const temp = tempDir('action-runner-temp');
    return { actionPath, workspace, temp, env: { ...env, PATH: [tools, ...pathWithoutNode()].join(':') } };
  }

  /** A folder of links to the tools action/*.sh and the runner use, found on this PATH. */
  async function shellTools(): Promise<string> {
    const dir = tempDir('action-tools');
    for (const tool of ['bash', 'sh', 'curl', 'tar', 'gzip', 'sha256sum', 'cut', 'awk', 'sed', 'grep', 'xargs', 'printf', 'cat', 'rm', 'mkdir', 'mv', 'chmod', 'dirname', 'head', 'od', 'tr']) {
      const found = await exec('/bin/bash', ['-c', `type -P ${tool}`]);
      expect(found.code, `${tool} is not on PATH`).to.equal(0);
      symlinkSync(found.stdout.trim(), path.join(dir, tool));
    }
    return dir;
  }

  before(async function () {
    this.timeout(300_000);
    const build = await exec(process.execPath, ['scripts/build-exe.ts', 'amd64'], { cwd: REPO, timeoutMs: 280_000 });
    expect(build.code, build.stderr).to.equal(0);
    release = await localRelease(tempDir('action-release'), pkg.version);
    actionPath = release.actionPath;
    expect(readFileSync(path.join(actionPath, 'action/SHA256SUMS'), 'utf8')).to.match(new RegExp(`^[0-9a-f]{64}  v${pkg.version}/${ARCHIVE}$`, 'm'));
    cluster = clusterEnvWithoutImages();
    tools = await shellTools();
  });

  after(() => {
    release?.close();
    removeTempDirs();
  });

  it('the demo: installs by checksum, runs, and fails the step on the leak and the broken path', async function () {
    if (!cluster) {
      if (process.env.CI) throw new Error('no local cluster (KUBECONFIG, EXTERNAL_IP): scripts/test brings it up before this step');
      return this.skip();
    }
    const j = job();
    const json = path.join(j.workspace, 'out/report.json');
    const ran = await runAction(j, { suites: 'suites', 'release-url': release.url, json: 'out/report.json', junit: 'out/junit.xml' });
    expect(release.requests).to.include(`/v${pkg.version}/${ARCHIVE}`);
    expect(ran.steps.map((s) => [s.name, s.code]), ran.steps.map((s) => s.stderr).join('\n')).to.deep.equal([['Install netprobe', 0], ['Run netprobe', 1]]);
    expect(ran.steps[0]?.stdout).to.match(new RegExp(`installed netprobe ${pkg.version.replace(/\./g, '\\.')} \\(linux-amd64, sha256 [0-9a-f]{64}\\)`));
    checkDemoAnnotations(ran, j.workspace);
    expect(ran.outputs).to.deep.include({ verdict: 'failed', total: '18', pass: '15', leak: '1', broken: '1', inconclusive: '1', 'exit-code': '1', json: 'out/report.json' });
    expect(ran.outputs['run-id']).to.match(/^[0-9a-f]+$/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { summary: object; run: { id: string } };
    expect(report.summary).to.deep.equal({ total: 18, pass: 15, leak: 1, broken: 1, inconclusive: 1 });
    expect(report.run.id).to.equal(ran.outputs['run-id']);
    expect(readFileSync(path.join(j.workspace, 'out/junit.xml'), 'utf8')).to.match(/^<\?xml[^]*<testsuites [^>]*tests="18"/);
    expect(ran.summary).to.match(/^### ❌ netprobe: failed\n\n\*\*1\*\* leak · \*\*1\*\* broken · \*\*1\*\* inconclusive · \*\*15\*\* passed · 18 total\n/);
    expect(ran.summary).to.include('| 🔴 leak | the worker must not reach the cache<br><sub>demo-planted-bugs · suites/planted-bugs.yaml:15:7</sub>');
    expect(ran.summary).to.include('<details><summary>15 passed</summary>');
    expect(ran.steps[1]?.stdout).to.include('::error title=netprobe::1 leak, 1 broken, 1 inconclusive (fail-on: leak,broken,inconclusive)');
  });

  /** One ::error per leak and broken path and one ::warning per inconclusive, each at its expectation's line. */
  function checkDemoAnnotations(ran: ActionRun, workspace: string): void {
    const found = annotations(ran.log).filter((a) => a.props.file !== undefined);
    expect(ran.log, 'the table is in the log').to.include('Leaks (1): a forbidden path succeeded');
    expect(found.map((a) => [a.level, a.props.title])).to.deep.equal([
      ['error', 'netprobe leak: the worker must not reach the cache'],
      ['error', 'netprobe broken: the API must reach the cache'],
      ['warning', 'netprobe inconclusive: the API must not reach the analytics database'],
    ]);
    for (const a of found) {
      const lines = readFileSync(path.join(workspace, a.props.file ?? ''), 'utf8').split('\n');
      const at = lines[Number(a.props.line) - 1]?.slice(Number(a.props.col) - 1);
      expect(at, `${a.props.file}:${a.props.line}:${a.props.col}`).to.equal(`name: ${a.props.title?.replace(/^netprobe \w+: /, '')}`);
    }
    expect(found[0]?.message).to.match(/^worker -> cache:6379\/TCP: expected deny, observed allowed \(connected\)\n/);
  }

  it('fail-on leak,broken passes a run netprobe exits 3 for (only inconclusive), and still warns', async function () {
    if (!cluster) return this.skip();
    const only = { suites: 'suites', 'release-url': release.url, args: "--only 'the API must not reach the analytics database'" };
    const tolerant = await runAction(job(), { ...only, 'fail-on': 'leak,broken' });
    expect(tolerant.code, tolerant.steps.map((s) => s.stderr).join('\n')).to.equal(0);
    expect(tolerant.outputs).to.deep.include({ verdict: 'undecided', total: '1', inconclusive: '1', 'exit-code': '3' });
    expect(annotations(tolerant.log).map((a) => a.level)).to.deep.equal(['warning']);
    expect(tolerant.log).to.include('netprobe: the step passes (fail-on: leak,broken; netprobe exited 3)');
    const strict = await runAction(job(), only);
    expect(strict.code).to.equal(1);
    expect(strict.log).to.include('::error title=netprobe::1 inconclusive (fail-on: leak,broken,inconclusive)');
  });

  it('reads no workflow command from netprobe\'s own log (text from the cluster), only its annotations', async () => {
    const j = job(process.env);
    const fake = path.join(j.workspace, 'fake-netprobe');
    writeFileSync(fake, FAKE_NETPROBE, { mode: 0o755 });
    const ran = await runAction(j, { suites: 'suites', netprobe: fake });
    expect(ran.steps.map((s) => [s.name, s.code])).to.deep.equal([['Run netprobe', 1]]);
    expect(ran.log).to.include('::error file=README.md,line=1::injected');
    expect(annotations(ran.log).map((a) => a.message)).to.deep.equal(['the real one', '1 leak (fail-on: leak,broken,inconclusive)']);
    expect(ran.steps[0]?.stderr).to.include('::warning::injected on stderr');
    const stop = /^::stop-commands::([0-9a-f]{32})$/m.exec(ran.log)?.[1];
    expect(stop, 'a random token').to.be.a('string');
    const log = ran.log.split('\n');
    expect(log.indexOf(`::${stop}::`)).to.be.greaterThan(log.findIndex((l) => l.includes('injected')));
    expect(ran.outputs).to.deep.include({ leak: '1', 'exit-code': '1', verdict: 'failed' });
  });

  it('a report with an output netprobe could not write (exit 2) fails the step even with fail-on none', async () => {
    const j = job({ ...process.env, FAKE_EXIT: '2' });
    const fake = path.join(j.workspace, 'fake-netprobe');
    writeFileSync(fake, FAKE_NETPROBE, { mode: 0o755 });
    const ran = await runAction(j, { suites: 'suites', netprobe: fake, 'fail-on': 'none' });
    expect(ran.code).to.equal(2);
    expect(ran.outputs).to.deep.include({ leak: '1', 'exit-code': '2' });
    expect(ran.log).to.include('::error title=netprobe::netprobe run failed (exit code 2); its messages are above');
  });

  it('installs for the runner\'s architecture: ARM64 asks for linux-arm64, which this pin lacks; others are refused', async () => {
    const arm = await runAction(job({ ...process.env, RUNNER_ARCH: 'ARM64' }), { suites: 'suites', 'release-url': release.url });
    expect(arm.code).to.equal(1);
    expect(arm.log).to.include(`pins no checksum for netprobe ${pkg.version} (netprobe-linux-arm64.tar.gz in action/SHA256SUMS)`);
    const other = await runAction(job({ ...process.env, RUNNER_ARCH: 'ARM' }), { suites: 'suites', 'release-url': release.url });
    expect(other.log).to.include('::error title=netprobe install::no netprobe executable for the runner architecture ARM (linux amd64 and arm64 only)');
  });

  it('a wrong checksum fails the install, naming the mismatch, and installs nothing', async () => {
    const j = job(process.env);
    const sums = path.join(j.workspace, 'action-copy');
    cpSync(actionPath, sums, { recursive: true });
    const file = path.join(sums, 'action/SHA256SUMS');
    const wrong = '0'.repeat(64);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^[0-9a-f]{64}(?=  v\S+amd64\.tar\.gz$)/m, wrong));
    const ran = await runAction({ ...j, actionPath: sums }, { suites: 'suites', 'release-url': release.url });
    expect(ran.steps.map((s) => [s.name, s.code])).to.deep.equal([['Install netprobe', 1]]);
    expect(ran.log).to.match(new RegExp(`^::error title=netprobe install::checksum mismatch for ${release.url}/${ARCHIVE}: sha256 [0-9a-f]{64}, but action/SHA256SUMS pins ${wrong} for v${pkg.version}`, 'm'));
    const installed = readdirSync(j.temp).filter((f) => f.startsWith('netprobe-'));
    expect(installed.flatMap((d) => readdirSync(path.join(j.temp, d)))).to.deep.equal([]);
  });

  it('a version the action pins no checksum for is refused before any download', async () => {
    const before = release.requests.length;
    const ran = await runAction(job(process.env), { suites: 'suites', version: '0.0.1', 'release-url': release.url });
    expect(ran.code).to.equal(1);
    expect(ran.log).to.include('::error title=netprobe install::this action pins no checksum for netprobe 0.0.1');
    expect(release.requests.length).to.equal(before);
  });

  it('invalid input: exit 2, the problem annotated at its line, no cluster touched', async () => {
    const j = job({ ...process.env, KUBECONFIG: '/nonexistent' });
    const suite = path.join(j.workspace, 'suites/planted-bugs.yaml');
    writeFileSync(suite, readFileSync(suite, 'utf8').replace('      expect: allow', '      expect: alow'));
    const ran = await runAction(j, { suites: 'suites', 'release-url': release.url });
    expect(ran.code).to.equal(2);
    expect(ran.outputs['exit-code']).to.equal('2');
    expect(ran.outputs.verdict).to.equal('');
    const [problem] = annotations(ran.log).filter((a) => a.props.file !== undefined);
    expect(problem?.props).to.include({ file: 'suites/planted-bugs.yaml', title: 'netprobe validate' });
    const line = readFileSync(suite, 'utf8').split('\n')[Number(problem?.props.line) - 1];
    expect(line).to.include('alow');
  });
});
