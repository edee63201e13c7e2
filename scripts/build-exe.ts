// Standalone executables: Node's single-executable applications, one file per platform with Node and
// the bundle (dist/netprobe.cjs) inside. Writes dist/netprobe-linux-amd64, dist/netprobe-linux-arm64 and
// dist/SHA256SUMS. The Node inside is the version running this script (the blob format is tied to it):
// this machine's binary for its own architecture, the npm registry's node-linux-ARCH package for another.
// Usage: node scripts/build-exe.ts [ARCH...]   (default: amd64 arm64)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE, buildBundle } from './build-bundle.ts';

const ARCHES = { amd64: 'x64', arm64: 'arm64' } as const;
type Arch = keyof typeof ARCHES;
const CACHE = 'dist/.cache';
// The marker Node looks for to know a blob was injected (from Node's single-executable docs).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** A Node binary of this script's own version for the architecture. */
function nodeBinary(arch: Arch): string {
  if (ARCHES[arch] === process.arch) return process.execPath;
  const pkg = `node-linux-${ARCHES[arch]}@${process.versions.node}`;
  const bin = path.join(CACHE, pkg, 'bin/node');
  if (!existsSync(bin)) {
    mkdirSync(path.dirname(bin), { recursive: true });
    const tarball = execFileSync('npm', ['pack', pkg, '--pack-destination', CACHE, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', path.join(CACHE, tarball), '-C', path.join(CACHE, pkg), '--strip-components=1', 'package/bin/node']);
    rmSync(path.join(CACHE, tarball));
  }
  return bin;
}

function buildExe(arch: Arch): string {
  const exe = `dist/netprobe-linux-${arch}`;
  const blob = `${CACHE}/netprobe-linux-${arch}.blob`;
  const config = `${CACHE}/sea-${arch}.json`;
  mkdirSync(CACHE, { recursive: true });
  // The code cache (compiled bundle, so start-up skips compiling it) is made by this process's V8: only
  // for its own architecture.
  const useCodeCache = ARCHES[arch] === process.arch;
  writeFileSync(config, JSON.stringify({ main: BUNDLE, output: blob, disableExperimentalSEAWarning: true, useCodeCache, useSnapshot: false }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'pipe' });
  rmSync(exe, { force: true });
  copyFileSync(nodeBinary(arch), exe);
  // postject warns about note sections it cannot name; harmless, and an error still throws with its output.
  execFileSync(process.execPath, ['node_modules/postject/dist/cli.js', exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: 'pipe' });
  return exe;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** dist/NAME.tar.gz holding dist/NAME, as krew installs it. */
function archive(exe: string): string {
  const tarball = `${exe}.tar.gz`;
  execFileSync('tar', ['-czf', tarball, '-C', path.dirname(exe), path.basename(exe)]);
  return tarball;
}

/** The krew template with this version, the release's download folder and the archives' sha256. */
function krewManifest(archives: Record<string, string>): string {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const releaseUrl = process.env.NETPROBE_RELEASE_URL ?? `https://github.com/netprobe-dev/netprobe/releases/download/v${version}`;
  return readFileSync('packaging/krew/netprobe.yaml', 'utf8')
    .replaceAll('@VERSION@', version)
    .replaceAll('@RELEASE_URL@', releaseUrl)
    .replace(/@SHA256_LINUX_(\w+)@/g, (_, arch: string) => sha256(archives[arch.toLowerCase()]!));
}

if (import.meta.main) {
  const release = process.argv.length <= 2;
  const wanted = release ? Object.keys(ARCHES) : process.argv.slice(2);
  const bad = wanted.filter((a) => !Object.hasOwn(ARCHES, a));
  if (bad.length > 0) {
    console.error(`build-exe: unknown architecture ${bad.join(', ')}; expected ${Object.keys(ARCHES).join(' or ')}`);
    process.exit(2);
  }
  buildBundle();
  const files: string[] = [];
  const archives: Record<string, string> = {};
  for (const arch of wanted) {
    const exe = buildExe(arch as Arch);
    files.push(exe);
    if (release) files.push((archives[arch] = archive(exe)));
  }
  if (release) writeFileSync('dist/netprobe.krew.yaml', krewManifest(archives));
  for (const f of files) console.log(`${f}: ${(statSync(f).size / 1e6).toFixed(1)} MB`);
  writeFileSync('dist/SHA256SUMS', files.map((f) => `${sha256(f)}  ${path.basename(f)}\n`).join(''));
}
