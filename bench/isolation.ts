// Benchmark: time from command start to verdict for `netprobe isolation` of a namespace of 10 pods
// (10 identities, one declared port each) checked from 5 other namespaces (2 pods each), 2 s timeout,
// under an emergency isolation policy that keeps DNS. Runs the real CLI, as a responder would.
//   node bench/isolation.ts        (KUBECONFIG, PROBE_IMAGE, ECHO_IMAGE from scripts/cluster/cluster up;
//                                   BENCH_ROUNDS=N rounds, default 3; BENCH_KEEP=1 keeps the namespaces)
import { kubectl, netprobe, tempFile } from '../test/e2e/support.ts';
import { echoDeployment, restrictedNamespace } from './workloads.ts';

const TARGET = 'bench-iso-target';
const OTHERS = Array.from({ length: 5 }, (_, i) => `bench-iso-peer${i + 1}`);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const { loadavg } = await import('node:os');

const docs = [
  restrictedNamespace(TARGET),
  ...OTHERS.map(restrictedNamespace),
  ...Array.from({ length: 10 }, (_, i) => echoDeployment(TARGET, `svc${i}`, { app: `svc${i}` })),
  ...OTHERS.map((ns) => echoDeployment(ns, 'app', { app: 'app' }, 2)),
];

await kubectl(['apply', '-f', '-'], docs.join('---\n'));
try {
  for (const ns of [TARGET, ...OTHERS]) await kubectl(['-n', ns, 'rollout', 'status', 'deployment', '--timeout=300s']);
  const policy = await netprobe(['generate', 'isolation-policy', TARGET, '--keep', 'dns']);
  await kubectl(['apply', '-f', '-'], policy.stdout);
  await new Promise((r) => setTimeout(r, 2000));
  // One untimed round first: it waits out the network plugin programming the new policy (until then the
  // check rightly reports leaks) and warms the node's image and page caches.
  const args = ['isolation', TARGET, '--keep', 'dns', '--from-namespaces', OTHERS.join(','), '--timeout', '2', '--quiet'];
  for (let i = 0; i < 5 && (await netprobe(args)).code !== 0; i++) await new Promise((r) => setTimeout(r, 2000));
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const json = tempFile('isolation.json', '');
    const run = await netprobe([...args, '-o', `json=${json}`]);
    const report = JSON.parse((await import('node:fs')).readFileSync(json, 'utf8')) as { summary: Record<string, number> };
    times.push(run.ms);
    const phases = /verdict in .*/.exec(run.stderr)?.[0] ?? '';
    console.log(`round ${i + 1}: exit ${run.code}, ${(run.ms / 1000).toFixed(1)} s from command start to verdict; ${phases}; ${JSON.stringify(report.summary)}`);
    if (run.code !== 0) console.log(run.stderr);
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`isolation of 10 pods from 5 namespaces, 2 s timeout: median ${(sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(1)} s, best ${(sorted[0]! / 1000).toFixed(1)} s (goal: under 15 s)`);
} finally {
  if (!process.env.BENCH_KEEP) await kubectl(['delete', 'namespace', TARGET, ...OTHERS, '--wait=false']);
}
