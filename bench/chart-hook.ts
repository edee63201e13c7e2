// The Helm chart's post-deploy hook on the demo: from `helm install --wait` of charts/netprobe (mode
// hook, suites/demo, the Roles `netprobe rbac -o values suites/demo` prints) to Helm's answer, which comes
// when the hook Job's run has its verdict. The demo's policies hold two planted bugs, so every install
// fails, as it should; the figure is the time to that verdict. Not a timed test: it prints figures.
// Needs the local cluster (KUBECONFIG) with the demo app. Builds the executables and the runner image,
// loads it under a name of its own, installs in a namespace of its own (chart-bench), removes both.
// Run: npm run bench:chart   (BENCH_ROUNDS, default 3)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NS = 'chart-bench';
const IMAGE = 'localhost/netprobe-test/netprobe:bench-chart';
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
const run = (file: string, args: string[]): string => execFileSync(file, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

if (!process.env.KUBECONFIG) {
  console.error('bench:chart needs the local cluster: eval "$(scripts/cluster/cluster up | tail -4)" first');
  process.exit(2);
}
const helm = run('scripts/tool', ['helm']).trim();
const kubectl = (...args: string[]): string => run(path.join('/var/cache/netprobe/bin', `k8s-${/^K8S_VERSION=(\S+)/m.exec(run('cat', ['scripts/versions.env']))![1]}`, 'kubectl'), args);
run(process.execPath, ['scripts/build-exe.ts', 'amd64', 'arm64']);
run('probes/build.sh', ['--only', 'runner', '--exe-dir', 'dist', 'out/bench-chart-image']);
run('scripts/cluster/cluster', ['load', 'out/bench-chart-image/runner.tar', '--name', IMAGE]);
const work = mkdtempSync(path.join(tmpdir(), 'netprobe-bench-chart-'));
const rbacValues = path.join(work, 'rbac-values.yaml');
writeFileSync(rbacValues, run(process.execPath, ['bin/netprobe.js', 'rbac', '-o', 'values', 'suites/demo']));
kubectl('delete', 'namespace', NS, '--ignore-not-found', '--timeout=180s');
kubectl('create', 'namespace', NS);

console.log(`netprobe chart hook on suites/demo, ${ROUNDS} installs, load average ${load()}`);
const times: number[] = [];
for (let i = 1; i <= ROUNDS; i++) {
  const t0 = process.hrtime.bigint();
  const install = spawnSync(helm, ['install', 'bench', 'charts/netprobe', '-n', NS, '--wait', '--timeout', '300s',
    '--set', `image.repository=${IMAGE.split(':')[0]}`, '--set', `image.tag=${IMAGE.split(':')[1]}`, '--set', 'image.pullPolicy=Never',
    '--set-file', 'suites.zero-trust\\.yaml=suites/demo/zero-trust.yaml', '--set-file', 'suites.planted-bugs\\.yaml=suites/demo/planted-bugs.yaml',
    '-f', rbacValues], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  times.push(seconds);
  // Helm prints the failed hook's log: the verdict line, with the run's own time
  const verdict = /(FAILED|PASSED|UNDECIDED) [^"\\]*?\(\d+ total\) in [\d.]+ s/.exec(install.stdout + install.stderr)?.[0] ?? `no verdict in Helm's output (exit ${install.status})`;
  console.log(`install ${i}: ${seconds.toFixed(1)} s to Helm's answer (exit ${install.status}); ${verdict}; load ${load()}`);
  spawnSync(helm, ['uninstall', 'bench', '-n', NS, '--wait', '--timeout', '120s'], { encoding: 'utf8' });
}
times.sort((a, b) => a - b);
console.log(`median ${times[Math.floor(times.length / 2)]!.toFixed(1)} s (min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)}); load average after: ${load()}`);
kubectl('delete', 'namespace', NS, '--wait=false');
rmSync(work, { recursive: true, force: true });
