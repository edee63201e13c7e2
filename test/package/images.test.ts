// The probe and echo images as they ship: one OCI image index each, with linux/amd64 and linux/arm64
// manifests whose binaries are of the right machine and carry their interpreter and every library they
// need. The arm64 programs are also run, under qemu-aarch64-static (user-mode emulation, no binfmt).
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { blob, builtImages, elfFiles, openArchive, readElf, resolveInRoot, unpackImage, type Descriptor, type Layout } from './oci.ts';
import { exec, removeTempDirs, REPO } from './support.ts';

const MACHINE: Record<string, { readelf: string; triplet: string }> = {
  amd64: { readelf: 'Advanced Micro Devices X86-64', triplet: 'x86_64-linux-gnu' },
  arm64: { readelf: 'AArch64', triplet: 'aarch64-linux-gnu' },
};

/** files.txt's entries of an image's layers: DEST KIND per line. */
function listedFiles(image: string): { dest: string; kind: string }[] {
  const lines = readFileSync(path.join(REPO, 'probes/images/files.txt'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const layers = lines.map((l) => l.split(/\s+/)).find((f) => f[0] === 'image' && f[1] === image)?.slice(2) ?? [];
  expect(layers, `files.txt names the layers of ${image}`).to.not.be.empty;
  return lines.map((l) => l.split(/\s+/)).filter((f) => layers.includes(f[0]!)).map((f) => ({ dest: f[1]!, kind: f[2]! }));
}

/** Every ELF file of root is of arch's machine, and its interpreter and NEEDED libraries are in root. */
async function checkElfClosure(root: string, arch: string): Promise<number> {
  const { readelf, triplet } = MACHINE[arch]!;
  const files = elfFiles(root);
  for (const file of files) {
    const elf = await readElf(path.join(root, file));
    expect(elf.machine, `${arch}: ${file}`).to.equal(readelf);
    if (elf.interpreter) expect(resolveInRoot(root, elf.interpreter), `${arch}: ${file}'s interpreter ${elf.interpreter}`).to.be.a('string');
    for (const lib of elf.needed) {
      const found = [`/lib/${triplet}`, `/usr/lib/${triplet}`, '/lib', '/usr/lib'].some((dir) => resolveInRoot(root, `${dir}/${lib}`));
      expect(found, `${arch}: ${lib}, needed by ${file}`).to.equal(true);
    }
  }
  return files.length;
}

for (const image of ['probe', 'echo']) {
  describe(`${image} image archive (multi-arch OCI index)`, function () {
    let layout: Layout;
    let dir: string;
    const roots: Record<string, string> = {};

    before(async function () {
      this.timeout(900_000);
      dir = await builtImages();
      layout = await openArchive(path.join(dir, `${image}.tar`));
      for (const manifest of layout.manifests) roots[manifest.platform!.architecture] = (await unpackImage(layout, manifest)).root;
    });

    after(removeTempDirs);

    it('holds one image index, named, with a linux/amd64 and a linux/arm64 manifest whose configs agree', async () => {
      expect(layout.top.annotations?.['io.containerd.image.name']).to.match(new RegExp(`^localhost/netprobe/${image}:\\d+\\.\\d+\\.\\d+-[0-9a-f]{10}$`));
      expect(layout.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).to.deep.equal(['linux/amd64', 'linux/arm64']);
      for (const manifest of layout.manifests) {
        const { config } = await unpackImage(layout, manifest);
        expect(config.architecture).to.equal(manifest.platform!.architecture);
        expect(config.os).to.equal('linux');
      }
    });

    it('every ELF file is of its platform\'s machine, with its interpreter and every NEEDED library in the image', async function () {
      this.timeout(120_000);
      for (const arch of ['amd64', 'arm64']) expect(await checkElfClosure(roots[arch]!, arch), `${arch}: ELF files`).to.be.at.least(image === 'probe' ? 10 : 2);
    });

    it("keeps a docker-archive manifest.json for `docker load`: the build machine's platform, over the same blobs", () => {
      const host = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch; // as GOHOSTARCH names it
      const [entry] = JSON.parse(readFileSync(path.join(layout.dir, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[]; RepoTags: string[] }[];
      expect(entry!.RepoTags).to.deep.equal([layout.top.annotations?.['io.containerd.image.name']]);
      const hostManifest = layout.manifests.find((m) => m.platform?.architecture === host);
      const image = blob<{ config: Descriptor; layers: Descriptor[] }>(layout.dir, hostManifest!.digest);
      expect(entry!.Config).to.equal(`blobs/sha256/${image.config.digest.slice('sha256:'.length)}`);
      expect(entry!.Layers).to.deep.equal(image.layers.map((l) => `blobs/sha256/${l.digest.slice('sha256:'.length)}`));
    });

    it('was built from the Debian packages debs.lock records, for both architectures, each with its SHA256', () => {
      const lock = readFileSync(path.join(dir, 'debs.lock'), 'utf8').trim().split('\n').map((l) => l.split(' '));
      for (const arch of ['amd64', 'arm64']) {
        for (const pkg of ['busybox-static', 'curl', 'libc6', 'libssl3']) {
          expect(lock.find(([p, a]) => p === pkg && a === arch), `${pkg} ${arch}`).to.satisfy((row?: string[]) => row !== undefined && /^[0-9a-f]{64}$/.test(row[3] ?? ''));
        }
      }
      expect(lock.find(([p]) => p === 'ca-certificates')?.[1]).to.equal('all');
    });

    it('holds every file files.txt lists, on both platforms', () => {
      for (const arch of ['amd64', 'arm64']) {
        for (const { dest, kind } of listedFiles(image)) {
          const target = kind === 'applets' ? '/bin/sh' : dest;
          expect(existsSync(path.join(roots[arch]!, target)) || resolveInRoot(roots[arch]!, target) !== undefined, `${arch}: ${target}`).to.equal(true);
        }
      }
      expect(existsSync(path.join(roots.amd64!, 'usr/bin/curl'))).to.equal(image === 'probe');
    });

    const programs = image === 'probe' ? "the agent, busybox, and curl with the image's own loader and libraries" : 'the agent and busybox';
    it(`runs its arm64 programs under qemu-aarch64-static: ${programs}`, async function () {
      this.timeout(300_000);
      const qemu = await exec(path.join(REPO, 'probes/images/qemu-aarch64.sh'), [], { timeoutMs: 280_000 });
      expect(qemu.code, qemu.stderr).to.equal(0);
      const emulator = qemu.stdout.trim();
      const root = roots.arm64!;
      const agent = await exec(emulator, [path.join(root, 'usr/local/bin/netprobe-agent'), 'version']);
      expect(agent.stdout).to.match(/^netprobe-agent \S+ go\S+ linux\/arm64$/m);
      const sh = await exec(emulator, [path.join(root, 'bin/busybox'), 'sh', '-c', 'echo "$((6 * 7))"']);
      expect(sh.stdout).to.equal('42\n');
      if (image !== 'probe') return;
      const curl = await exec(emulator, ['-L', root, path.join(root, 'usr/bin/curl'), '--version']);
      expect(curl.code, curl.stderr).to.equal(0);
      expect(curl.stdout).to.match(/^curl \S+ \(aarch64-[^)]*linux-gnu\)/);
    });
  });
}
