// The npm package as a user gets it: packed from this checkout, installed into a temporary prefix
// outside it, and run from there on Node 24, through kubectl's plugin discovery, and on an old Node.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { clusterEnvWithoutImages, demoRunVerdict, exec, kubectlDir, removeTempDirs, REPO, tempDir } from './support.ts';

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const SYSTEM_NODE = '/usr/bin/node';

describe('npm package (packed, installed into a temporary prefix)', function () {
  let packed: Packed;
  let prefix: string;
  let netprobe: string;
  let node24Path: string;

  before(async function () {
    this.timeout(180_000);
    const out = tempDir('pack');
    const pack = await exec('npm', ['pack', '--json', '--pack-destination', out], { cwd: REPO });
    expect(pack.code, pack.stderr).to.equal(0);
    packed = (JSON.parse(pack.stdout) as Packed[])[0]!;
    console.log(`      packed ${(packed.size / 1e6).toFixed(2)} MB, unpacked ${(packed.unpackedSize / 1e6).toFixed(2)} MB, ${packed.files.length} files`);
    prefix = tempDir('prefix');
    const install = await exec('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', path.join(out, packed.filename)]);
    expect(install.code, install.stderr).to.equal(0);
    netprobe = path.join(prefix, 'bin/netprobe');
    // Node 24 first, then the installed bins, then the system (whose node is 20).
    node24Path = [path.dirname(process.execPath), path.join(prefix, 'bin'), '/usr/bin', '/bin'].join(':');
  });

  after(removeTempDirs);

  it('holds only what runs, has no dependencies, and is named as published', () => {
    expect(packed.files.map((f) => f.path).sort()).to.deep.equal(['README.md', 'bin/netprobe.js', 'dist/THIRD_PARTY_LICENSES.txt', 'dist/netprobe.cjs', 'package.json']);
    const installed = path.join(prefix, 'lib/node_modules', pkg.name);
    expect(existsSync(path.join(installed, 'bin/netprobe.js'))).to.equal(true);
    expect(existsSync(path.join(installed, 'node_modules')), 'no dependency installed').to.equal(false);
    expect(existsSync(path.join(installed, 'src')), 'no sources').to.equal(false);
  });

  it('netprobe --version, validate and predict work on Node 24', async () => {
    const env = { ...process.env, PATH: node24Path };
    const version = await exec(netprobe, ['--version'], { env });
    expect(version.stderr).to.equal('');
    expect(version.stdout).to.equal(`netprobe ${pkg.version}\n`);
    const validate = await exec(netprobe, ['validate', path.join(REPO, 'suites/demo')], { env });
    expect(validate.code, validate.stderr).to.equal(0);
    expect(validate.stdout).to.match(/^OK: 2 suites, \d+ expectations/);
    const bad = await exec(netprobe, ['validate', path.join(REPO, 'test/fixtures/bad')], { env });
    expect(bad.code).to.equal(2);
    expect(bad.stdout + bad.stderr).to.match(/\.yaml:\d+:\d+: /);
    // The demo policies plant one leak and one broken path; predict finds both without a cluster.
    const predict = await exec(netprobe, ['predict', path.join(REPO, 'suites/demo'), '--policies', path.join(REPO, 'demo')], { env });
    expect(predict.code, predict.stderr).to.equal(1);
    expect(predict.stdout).to.match(/1 leak, 1 broken, 0 inconclusive, 16 passed/);
  });

  it('kubectl netprobe --help works through kubectl plugin discovery', async function () {
    const kubectl = kubectlDir();
    if (!kubectl) return this.skip(); // the background cluster build has not made kubectl yet
    const env = { ...process.env, PATH: `${node24Path}:${kubectl}` };
    const list = await exec(path.join(kubectl, 'kubectl'), ['plugin', 'list'], { env });
    expect(list.stdout).to.include(path.join(prefix, 'bin/kubectl-netprobe'));
    const help = await exec(path.join(kubectl, 'kubectl'), ['netprobe', '--help'], { env });
    expect(help.code, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/^netprobe: declare who may talk to whom/);
    expect(help.stdout).to.include('kubectl netprobe');
  });

  it('on the system Node 20 it prints one line naming the Node it needs, and exits 2', async function () {
    const old = await exec(SYSTEM_NODE, ['--version']);
    if (!/^v(1\d|2[01])\./.test(old.stdout)) return this.skip(); // no older Node on this machine
    const env = { ...process.env, PATH: [path.join(prefix, 'bin'), '/usr/bin', '/bin'].join(':') };
    for (const bin of ['netprobe', 'kubectl-netprobe']) {
      const r = await exec(path.join(prefix, 'bin', bin), ['validate', path.join(REPO, 'suites/demo')], { env });
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^netprobe: needs Node\.js 22\.19 or newer, this is v\d+\.\d+\.\d+; install Node 24 .*standalone executable.*\n$/);
      expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
    }
  });

  it('a real run of suites/demo on the local cluster, with no image flag or variable', async function () {
    this.timeout(300_000);
    const env = clusterEnvWithoutImages();
    if (!env) {
      if (process.env.CI) throw new Error('no local cluster (KUBECONFIG, EXTERNAL_IP): scripts/test brings it up before this step');
      return this.skip();
    }
    const { run, verdict } = await demoRunVerdict(netprobe, [], { ...env, PATH: node24Path });
    expect(verdict.code, `${run.stderr}\n${verdict.stdout}`).to.equal(0);
  });
});
