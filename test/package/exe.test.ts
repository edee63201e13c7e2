// The standalone linux-amd64 executable, built here by `npm run build:exe`, run with no Node on PATH:
// it must carry everything it needs, also as a kubectl plugin (how krew installs it).
import { expect } from 'chai';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { clusterEnvWithoutImages, demoRunVerdict, exec, kubectlDir, removeTempDirs, pathWithoutNode, REPO, tempDir } from './support.ts';

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };

describe('standalone executable (linux-amd64, no Node on PATH)', function () {
  const exe = path.join(REPO, 'dist/netprobe-linux-amd64');
  let env: NodeJS.ProcessEnv;

  before(async function () {
    this.timeout(180_000);
    const build = await exec(process.execPath, ['scripts/build-exe.ts', 'amd64'], { cwd: REPO, timeoutMs: 180_000 });
    expect(build.code, build.stderr).to.equal(0);
    env = { ...process.env, PATH: pathWithoutNode().join(':') };
    const which = await exec('/bin/sh', ['-c', 'command -v node'], { env });
    expect(which.stdout, 'a node is still on PATH').to.equal('');
  });

  after(removeTempDirs);

  it('--version, validate and predict', async () => {
    const version = await exec(exe, ['--version'], { env });
    expect(version.stdout).to.equal(`netprobe ${pkg.version}\n`);
    const validate = await exec(exe, ['validate', path.join(REPO, 'suites/demo')], { env });
    expect(validate.code, validate.stderr).to.equal(0);
    expect(validate.stdout).to.match(/^OK: 2 suites, \d+ expectations/);
    const predict = await exec(exe, ['predict', path.join(REPO, 'suites/demo'), '--policies', path.join(REPO, 'demo')], { env });
    expect(predict.code, predict.stderr).to.equal(1);
    expect(predict.stdout).to.match(/1 leak, 1 broken, 0 inconclusive, 16 passed/);
  });

  it('works as a kubectl plugin named kubectl-netprobe', async function () {
    const kubectl = kubectlDir();
    if (!kubectl) return this.skip(); // the background cluster build has not made kubectl yet
    const plugins = tempDir('plugins');
    copyFileSync(exe, path.join(plugins, 'kubectl-netprobe'));
    const help = await exec(path.join(kubectl, 'kubectl'), ['netprobe', '--help'], { env: { ...env, PATH: `${plugins}:${env.PATH}` } });
    expect(help.code, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/^netprobe: declare who may talk to whom/);
  });

  it('a real run of suites/demo on the local cluster, with no image flag or variable', async function () {
    this.timeout(300_000);
    const cluster = clusterEnvWithoutImages();
    if (!cluster) {
      if (process.env.CI) throw new Error('no local cluster (KUBECONFIG, EXTERNAL_IP): scripts/test brings it up before this step');
      return this.skip();
    }
    const { run, verdict } = await demoRunVerdict(exe, [], { ...cluster, PATH: env.PATH });
    expect(verdict.code, `${run.stderr}\n${verdict.stdout}`).to.equal(0);
  });
});
