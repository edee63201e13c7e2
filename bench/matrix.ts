// Benchmark: `netprobe matrix` over N running identities (N single-replica Deployments serving TCP 8080 in
// one namespace, no policy: every cell reachable), through the real CLI, as issue 16 measured it; once with
// probe pods (in waves when they do not fit: --max-pods, the nodes' free slots) and once with --ephemeral
// (no probe pod: each row probes from inside its identity's own pod). Prints wall time, cells, unknown
// cells, the waves, and the load.
//   node bench/matrix.ts        (KUBECONFIG, PROBE_IMAGE, ECHO_IMAGE from scripts/cluster/cluster up;
//                                BENCH_IDENTITIES=N, default 40; BENCH_MAX_PODS=N for the probe-pod pass,
//                                default 10; BENCH_NAMESPACE, default bench-matrix)
import { loadavg } from 'node:os';
import { kubectl, netprobe } from '../test/e2e/support.ts';
import { echoDeployment, restrictedNamespace } from './workloads.ts';

const NS = process.env.BENCH_NAMESPACE ?? 'bench-matrix';
const N = Number(process.env.BENCH_IDENTITIES ?? 40);
const MAX_PODS = process.env.BENCH_MAX_PODS ?? '10';

async function measure(label: string, flags: string[]): Promise<void> {
  const run = await netprobe(['matrix', '--namespaces', NS, '-o', 'json', ...flags]);
  const m = JSON.parse(run.stdout || '{"cells": [], "unknown": {}}') as { cells: string[][]; unknown: Record<string, string> };
  const cells = m.cells.flat().filter((c) => c !== 'self').length;
  const waves = /netprobe: (\d+) waves/.exec(run.stderr)?.[1] ?? '1';
  console.log(`${label.padEnd(22)} ${N} x ${N}: ${(run.ms / 1000).toFixed(1).padStart(6)} s  ${cells} cells, ${Object.keys(m.unknown).length} unknown, ${waves} wave(s), exit ${run.code}`);
  for (const [name, why] of Object.entries(m.unknown).slice(0, 3)) console.log(`  unknown ${name}: ${why}`);
}

await kubectl(['wait', '--for=delete', `namespace/${NS}`, '--timeout=300s']).catch(() => undefined);
const apps = Array.from({ length: N }, (_, i) => echoDeployment(NS, `app${i}`, { app: `app${i}` }));
await kubectl(['apply', '-f', '-'], [restrictedNamespace(NS), ...apps].join('---\n'));
try {
  await kubectl(['-n', NS, 'rollout', 'status', 'deployment', '--timeout=600s']);
  await measure(`probe pods (--max-pods ${MAX_PODS})`, ['--max-pods', MAX_PODS]);
  await measure('--ephemeral', ['--ephemeral']);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  await kubectl(['delete', 'namespace', NS, '--wait=false']);
}
