// The runner image (netprobe itself, for in-cluster Jobs and charts/netprobe) as it ships: one OCI image
// index with linux/amd64 and linux/arm64, each holding the standalone executable of its architecture
// with the loader and libraries it links against, CA certificates, passwd and group with a numeric
// non-root user, and nothing else. Built here from `npm run build:exe`'s executables by
// `probes/build.sh --only runner --exe-dir dist`; the arm64 executable is also run, under qemu.
import { expect } from 'chai';
import { chmodSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { elfFiles, openArchive, readElf, resolveInRoot, unpackImage, type Layout } from './oci.ts';
import { exec, removeTempDirs, REPO, tempDir } from './support.ts';

const TRIPLET: Record<string, string> = { amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

/** Every non-directory path in root, as absolute paths inside the image. */
function allPaths(root: string, dir = '/'): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const inImage = path.posix.join(dir, name);
    return lstatSync(path.join(root, inImage)).isDirectory() ? allPaths(root, inImage) : [inImage];
  });
}

describe('runner image archive (multi-arch OCI index of netprobe)', function () {
  let layout: Layout;
  const images: Record<string, { root: string; config: { architecture: string; config?: { User?: string; Entrypoint?: string[]; Env?: string[] } } }> = {};

  before(async function () {
    this.timeout(900_000);
    const exe = await exec(process.execPath, ['scripts/build-exe.ts', 'amd64', 'arm64'], { cwd: REPO, timeoutMs: 300_000 });
    expect(exe.code, exe.stderr).to.equal(0);
    const out = tempDir('runner-image');
    const build = await exec(path.join(REPO, 'probes/build.sh'), ['--only', 'runner', '--exe-dir', 'dist', out], { cwd: REPO, timeoutMs: 600_000 });
    expect(build.code, build.stderr).to.equal(0);
    expect(readFileSync(path.join(out, 'images.env'), 'utf8')).to.match(/^RUNNER_IMAGE=localhost\/netprobe\/netprobe:\d+\.\d+\.\d+-[0-9a-f]{10}\n$/);
    layout = await openArchive(path.join(out, 'runner.tar'));
    for (const m of layout.manifests) images[m.platform!.architecture] = (await unpackImage(layout, m)) as (typeof images)[string];
  });

  after(removeTempDirs);

  it('is one image index of linux/amd64 and linux/arm64, running netprobe as a numeric non-root user', () => {
    expect(layout.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).to.deep.equal(['linux/amd64', 'linux/arm64']);
    for (const arch of ['amd64', 'arm64']) {
      const config = images[arch]!.config;
      expect(config.architecture).to.equal(arch);
      // numeric, so a pod's runAsNonRoot can check it without reading /etc/passwd
      expect(config.config?.User).to.equal('65532:65532');
      expect(config.config?.Entrypoint).to.deep.equal(['/usr/local/bin/netprobe']);
    }
  });

  it('holds the executable, its loader and libraries, CA certificates, passwd, group, nsswitch.conf, /tmp, and nothing else', () => {
    for (const arch of ['amd64', 'arm64']) {
      const root = images[arch]!.root;
      const other = allPaths(root).filter(
        (p) => !['/usr/local/bin/netprobe', '/etc/ssl/certs/ca-certificates.crt', '/etc/passwd', '/etc/group', '/etc/nsswitch.conf'].includes(p) && !/^\/(usr\/)?lib(64)?\/([^/]+\/)?(ld-linux[^/]*|lib(c|dl|m|pthread|gcc_s|stdc\+\+)\.so[.0-9]*)$/.test(p),
      );
      expect(other, `${arch}: files beyond the runtime`).to.deep.equal([]);
      expect(lstatSync(path.join(root, 'tmp')).mode & 0o7777).to.equal(0o1777);
      expect(readFileSync(path.join(root, 'etc/passwd'), 'utf8')).to.match(/^nonroot:x:65532:65532:/m);
      expect(readFileSync(path.join(root, 'etc/ssl/certs/ca-certificates.crt'), 'utf8').match(/BEGIN CERTIFICATE/g)?.length).to.be.above(100);
    }
  });

  it("each platform's executable is of its machine, with its interpreter and every NEEDED library in the image", async function () {
    this.timeout(60_000);
    for (const arch of ['amd64', 'arm64']) {
      const root = images[arch]!.root;
      for (const file of elfFiles(root)) {
        const elf = await readElf(path.join(root, file));
        if (elf.interpreter) expect(resolveInRoot(root, elf.interpreter), `${arch}: ${file}'s interpreter`).to.be.a('string');
        for (const lib of elf.needed) {
          const found = [`/lib/${TRIPLET[arch]}`, `/usr/lib/${TRIPLET[arch]}`, '/lib', '/usr/lib'].some((d) => resolveInRoot(root, `${d}/${lib}`));
          expect(found, `${arch}: ${lib}, needed by ${file}`).to.equal(true);
        }
      }
      const exe = await readElf(path.join(root, 'usr/local/bin/netprobe'));
      expect(exe.machine).to.equal(arch === 'amd64' ? 'Advanced Micro Devices X86-64' : 'AArch64');
    }
  });

  it('runs: amd64 in a chroot as the image user, arm64 under qemu-aarch64-static with the image as its root', async function () {
    this.timeout(300_000);
    const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    chmodSync(images.amd64!.root, 0o755); // a container's root is, a temporary folder is not
    const amd64 = await exec('chroot', ['--userspec=65532:65532', images.amd64!.root, '/usr/local/bin/netprobe', '--version']);
    expect(amd64.stdout, amd64.stderr).to.equal(`netprobe ${version}\n`);
    const qemu = await exec(path.join(REPO, 'probes/images/qemu-aarch64.sh'), [], { timeoutMs: 280_000 });
    expect(qemu.code, qemu.stderr).to.equal(0);
    const root = images.arm64!.root;
    const arm64 = await exec(qemu.stdout.trim(), ['-L', root, path.join(root, 'usr/local/bin/netprobe'), '--version'], { timeoutMs: 200_000 });
    expect(arm64.stdout, arm64.stderr).to.equal(`netprobe ${version}\n`);
  });
});
