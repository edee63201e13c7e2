// The GitHub Action on the demo, as test/package/action.test.ts runs it (test/package/action-runner.ts):
// the install step (download of the linux-amd64 archive from a release served on 127.0.0.1, sha256
// check, unpack, --version) and the run step (`netprobe run suites/demo` on the local cluster, with the
// summary, annotations, outputs and JSON), each timed over ROUNDS jobs. Then the size of what the action
// writes for 20,000 expectations (test/unit/support/big-report.ts): the step summary and the annotations.
// Not a timed test: it prints figures. Needs the local cluster (KUBECONFIG, EXTERNAL_IP).
// Run: npm run bench:action
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { renderReport } from '../src/report/render.ts';
import { localRelease, runAction } from '../test/package/action-runner.ts';
import { bigReport } from '../test/unit/support/big-report.ts';

const ROUNDS = 3;
const REPO = process.cwd();
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

function sizes(): void {
  for (const total of [1_000, 20_000]) {
    const report = bigReport(total, 50);
    const s = report.summary;
    const kb = (format: 'markdown' | 'github' | 'json'): string => `${(Buffer.byteLength(renderReport(format, report)) / 1e3).toFixed(0)} kB`;
    console.log(`${total.toLocaleString('en-US')} expectations (${s.leak} leaks, ${s.broken} broken, ${s.inconclusive} inconclusive): summary ${kb('markdown')}, annotations ${kb('github')}, JSON ${kb('json')}`);
  }
}

async function main(): Promise<void> {
  console.log(`netprobe ${version}, load average ${load()}`);
  sizes();
  if (!process.env.KUBECONFIG || !process.env.EXTERNAL_IP) return console.log('no local cluster (KUBECONFIG, EXTERNAL_IP): the action itself was not run');
  const work = mkdtempSync(path.join(tmpdir(), 'netprobe-bench-action-'));
  execFileSync(process.execPath, ['scripts/build-exe.ts', 'amd64'], { stdio: 'ignore' });
  const release = await localRelease(work, version);
  const env = { ...process.env };
  for (const name of ['PROBE_IMAGE', 'ECHO_IMAGE']) delete env[name];
  const times: number[][] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const workspace = mkdtempSync(path.join(work, 'ws-'));
    cpSync(path.join(REPO, 'suites/demo'), path.join(workspace, 'suites'), { recursive: true });
    const ran = await runAction({ actionPath: release.actionPath, workspace, temp: mkdtempSync(path.join(work, 'tmp-')), env }, { suites: 'suites', 'release-url': release.url, 'fail-on': 'none' });
    if (ran.code !== 0) throw new Error(`the action failed: ${ran.steps.map((s) => s.stderr).join('\n')}`);
    times.push(ran.steps.map((s) => s.ms));
    console.log(`round ${i + 1}: ${ran.steps.map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}; outputs leak=${ran.outputs.leak} broken=${ran.outputs.broken} inconclusive=${ran.outputs.inconclusive}; summary ${Buffer.byteLength(ran.summary)} bytes`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const [install, run] = [0, 1].map((k) => median(times.map((t) => t[k] ?? 0)) / 1000);
  console.log(`median: install ${install?.toFixed(1)} s, run ${run?.toFixed(1)} s, together ${((install ?? 0) + (run ?? 0)).toFixed(1)} s; load average after ${load()}`);
  release.close();
  rmSync(work, { recursive: true, force: true });
}

await main();
