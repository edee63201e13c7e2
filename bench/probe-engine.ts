// Benchmark: 1,000 expectations from 20 source identities to 50 targets (half of them denied), 2 s
// timeout, on the local cluster; and, in the same run, the floor to compare with: one probe pod plus one
// timeout (a single denied expectation). The targets are the application's own pods (50 Deployments
// deployed before the clock starts), as in a real suite; a second pass makes every target synthetic, so
// netprobe also starts 50 echo servers, against its own floor (one probe pod and one echo server).
// Prints wall times, API requests, and the ratio to the floor. As `netprobe run` does by default, each
// run reads the cluster's policies first (inside the clock), so that canaries show each probe pod's rules
// in place instead of a fixed settle; BENCH_PREDICT=0 measures without them (the fixed --settle, 3 s).
// BENCH_WAVES=1,5,20 measures the 1,000 expectations once more per wave size (--max-pods N: the run goes
// in waves of at most N pods), BENCH_ONLY_WAVES=1 only that (no floors, no synthetic pass).
//   node bench/probe-engine.ts        (KUBECONFIG, PROBE_IMAGE, ECHO_IMAGE from scripts/cluster/cluster up)
import { loadavg } from 'node:os';
import { apiRequests } from '../src/cluster/api.ts';
import { probeSettings } from '../src/cli/probe-flags.ts';
import { connect } from '../src/cluster/connect.ts';
import { runCases, type RunSettings } from '../src/run/run-suites.ts';
import { readClusterPolicyInputs } from '../src/cli/policy-inputs.ts';
import { mayReachBy, predictPathBy } from '../src/run/vouchers.ts';
import { expandSuites, loadSuites } from '../src/suite/index.ts';
import { kubectl, tempFile } from '../test/e2e/support.ts';
import { echoDeployment, restrictedNamespace } from './workloads.ts';

const NS = process.env.BENCH_NAMESPACE ?? 'bench-netprobe';
const WAVES = (process.env.BENCH_WAVES ?? '').split(',').filter(Boolean).map(Number);
const SOURCES = Number(process.env.BENCH_SOURCES ?? 20);
const TARGETS = Number(process.env.BENCH_TARGETS ?? 50);

/** Targets t<first>..t<targets-1>; odd ones are denied. Synthetic targets are echo servers netprobe starts. */
function suite(sources: number, targets: number, first: number, synthetic: boolean): string {
  const lines = [
    'apiVersion: netprobe.dev/v1alpha1',
    'kind: ConnectivitySuite',
    'metadata: {name: bench}',
    'spec:',
    `  defaults: {namespace: ${NS}, timeoutSeconds: 2, attempts: 1}`,
    '  expectations:',
  ];
  for (let s = 0; s < sources; s++) {
    for (let t = first; t < targets; t++) {
      const denied = t % 2 === 1;
      lines.push(
        `    - name: s${s} to t${t}`,
        `      from: {podSelector: {matchLabels: {bench-source: s${s}}}, synthetic: true}`,
        synthetic
          ? `      to: {podSelector: {matchLabels: {bench-synthetic: t${t}, bench-denied: "${denied}"}}, synthetic: true}`
          : `      to: {podSelector: {matchLabels: {bench-target: t${t}}}}`,
        '      port: 8080',
        `      expect: ${denied ? 'deny' : 'allow'}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const SETUP = `${restrictedNamespace(NS)}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-denied-targets, namespace: ${NS}}
spec:
  podSelector: {matchLabels: {bench-denied: "true"}}
  policyTypes: [Ingress]
`;

async function measure(label: string, text: string, maxPods?: number) {
  const loaded = await loadSuites([tempFile(`${label}.yaml`, text)]);
  if (loaded.diagnostics.length > 0) throw new Error(JSON.stringify(loaded.diagnostics[0]));
  const cases = expandSuites(loaded.suites);
  // The same defaults as `netprobe run`; the bench waits longer for 70 pods.
  const settings: RunSettings = {
    ...probeSettings({ settle: process.env.BENCH_SETTLE ?? '3', 'start-timeout': '300' }).settings,
    plan: {},
    ...(maxPods === undefined ? {} : { maxPods }),
  };

  // Each run starts on a quiet node: the previous run's pods are gone (the kubelet tears them down after
  // netprobe's delete returns, and that work would otherwise land in this run's pod start).
  // Its own namespace only: on a shared cluster other runs' pods come and go on their own.
  await kubectl(['wait', '--for=delete', 'pods', '-n', NS, '-l', 'netprobe.dev/run', '--timeout=300s']);
  await new Promise((r) => setTimeout(r, 3000));
  const before = apiRequests.count;
  const started = Date.now();
  const target = connect({});
  if (process.env.BENCH_PREDICT !== '0') {
    const inputs = await readClusterPolicyInputs('bench', target, [NS], { stdout: () => undefined, stderr: (t) => process.stderr.write(t) });
    if (inputs === undefined) throw new Error('cannot read the policies');
    settings.mayReach = mayReachBy(inputs.engine, inputs.manifests);
    settings.predictPath = predictPathBy(inputs.engine, inputs.manifests);
  }
  const outcome = await runCases(target, cases, settings, new AbortController().signal);
  const wallMs = Date.now() - started;
  const counts: Record<string, number> = {};
  for (const r of outcome.results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  // A benchmark whose verdicts are wrong measures nothing: show what failed.
  for (const r of outcome.results.filter((x) => x.status !== 'pass').slice(0, 3)) console.log(`  ${label}: ${r.status} ${r.name}: ${r.detail}`);
  const waves = outcome.waves?.waves.length ?? 1;
  return { label, cases: cases.length, pods: outcome.plan.sources.length + outcome.plan.servers.length, waves, wallMs, api: apiRequests.count - before, timings: outcome.timings, counts };
}

// A namespace left terminating by an earlier run must be gone before it is made again.
await kubectl(['wait', '--for=delete', `namespace/${NS}`, '--timeout=300s']).catch(() => undefined);
const targets = Array.from({ length: TARGETS }, (_, t) => echoDeployment(NS, `t${t}`, { 'bench-target': `t${t}`, 'bench-denied': String(t % 2 === 1) }));
await kubectl(['apply', '-f', '-'], [SETUP, ...targets].join('---\n'));
try {
  await kubectl(['-n', NS, 'rollout', 'status', 'deployment', '--timeout=300s']);
  if (WAVES.length > 0) {
    const rows = [];
    for (const n of WAVES) rows.push(await measure(`waves-${n}`, suite(SOURCES, TARGETS, 0, false), n));
    for (const m of rows) {
      console.log(`${m.label.padEnd(10)} ${m.cases} expectations  ${m.pods} pods in ${String(m.waves).padStart(2)} waves  ${(m.wallMs / 1000).toFixed(1).padStart(6)} s  ${String(m.api).padStart(4)} API requests  ${JSON.stringify(m.counts)}`);
    }
    console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  }
  if (process.env.BENCH_ONLY_WAVES !== '1') {
    // The floor: one probe pod, one denied path (one timeout) to a running target.
    const floor = await measure('floor', suite(1, 2, 1, false));
    const big = await measure('bench', suite(SOURCES, TARGETS, 0, false));
    const small = await measure('bench-small', suite(SOURCES, Math.max(2, TARGETS / 5), 0, false));
    // All targets synthetic: netprobe starts an echo server for each, so the floor has one too. The
    // application's pods go first: one node runs at most 110 pods.
    await kubectl(['-n', NS, 'delete', 'deployment', '--all']);
    await kubectl(['-n', NS, 'wait', '--for=delete', 'pod', '-l', 'bench-target', '--timeout=300s']);
    const floorSynthetic = await measure('floor-synth', suite(1, 2, 1, true));
    const bigSynthetic = await measure('bench-synth', suite(SOURCES, TARGETS, 0, true));
    for (const m of [floor, small, big, floorSynthetic, bigSynthetic]) {
      console.log(
        `${m.label.padEnd(12)} ${String(m.cases).padStart(5)} expectations  ${String(m.pods).padStart(3)} pods  ` +
          `${(m.wallMs / 1000).toFixed(1).padStart(6)} s (start ${((m.timings?.startMs ?? 0) / 1000).toFixed(1)} s, settle ${((m.timings?.settleMs ?? 0) / 1000).toFixed(1)} s, probe ${((m.timings?.probeMs ?? 0) / 1000).toFixed(1)} s)  ` +
          `${String(m.api).padStart(4)} API requests  ${JSON.stringify(m.counts)}`,
      );
    }
    console.log(`ratio to floor: ${(big.wallMs / floor.wallMs).toFixed(2)}x (goal: within 2x); all targets synthetic: ${(bigSynthetic.wallMs / floorSynthetic.wallMs).toFixed(2)}x`);
    console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`API requests: ${small.api} for ${small.cases} expectations, ${big.api} for ${big.cases} (same ${SOURCES} sources)`);
  }
} finally {
  await kubectl(['delete', 'namespace', NS, '--wait=false']);
}
