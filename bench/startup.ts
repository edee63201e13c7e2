// Start-up of what users install: `validate suites/demo` (and `--version`) from the npm package installed
// out of its tarball on Node 24, from the standalone linux-amd64 executable with no Node on PATH, and
// from the checkout's sources for comparison. Also the sizes. Not a timed test: it prints figures.
// Run: npm run bench:startup   (builds the bundle, packs, and builds the amd64 executable first)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const ROUNDS = 15;
const REPO = process.cwd();
const SUITES = path.join(REPO, 'suites/demo');

function timeOf(file: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  execFileSync(file, args, { env, stdio: 'ignore', cwd: tmpdir() });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function figures(label: string, file: string, args: string[], env: NodeJS.ProcessEnv): void {
  timeOf(file, args, env); // the first run fills Node's compile cache where there is one
  const ms = Array.from({ length: ROUNDS }, () => timeOf(file, args, env)).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  console.log(`${label.padEnd(52)} min ${ms[0]!.toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${ms.at(-1)!.toFixed(0)} ms`);
}

const work = mkdtempSync(path.join(tmpdir(), 'netprobe-bench-startup-'));
const packed = (JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8' })) as { filename: string; size: number; unpackedSize: number }[])[0]!;
execFileSync('npm', ['install', '--global', '--prefix', work, '--no-audit', '--no-fund', path.join(work, packed.filename)], { stdio: 'ignore' });
execFileSync(process.execPath, ['scripts/build-exe.ts', 'amd64'], { stdio: 'ignore' });
const exe = path.join(REPO, 'dist/netprobe-linux-amd64');
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

console.log(`netprobe ${version}, Node ${process.versions.node}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`npm package: ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, no dependencies`);
console.log(`executable:  ${(statSync(exe).size / 1e6).toFixed(1)} MB`);
const node24 = { ...process.env, PATH: `${path.dirname(process.execPath)}:${work}/bin:/usr/bin:/bin` };
const noNode = { ...process.env, PATH: '/usr/bin:/bin' };
for (const [what, args] of [['validate suites/demo', ['validate', SUITES]], ['--version', ['--version']]] as const) {
  figures(`executable ${what}`, exe, [...args], noNode);
  figures(`npm package on Node 24 ${what}`, path.join(work, 'bin/netprobe'), [...args], node24);
  figures(`checkout (TypeScript sources) ${what}`, process.execPath, [path.join(REPO, 'bin/netprobe.js'), ...args], node24);
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
rmSync(work, { recursive: true, force: true });
