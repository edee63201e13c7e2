// Benchmark of `netprobe impact` (issue 17 goal: a change to 1 policy in a cluster of 2,000 pods and 500
// policies analysed in under 2 s). Run: npm run bench:impact. The cluster is bench/synthetic-cluster.ts
// (every pod its own workload: the most endpoints a 2,000-pod cluster can have); the change rewrites one
// policy that selects pods (see `changed`), a different policy in each of five rounds.
import { computeImpact } from '../src/policy/impact.ts';
import type { NetworkPolicy } from '../src/policy/types.ts';
import { namespaces, pods, policies } from './synthetic-cluster.ts';

const ROUNDS = Number(process.env['ROUNDS'] ?? 5);

/** The change: the policy's ingress narrowed to one rule (web pods, 443) and an egress rule to every pod on 8080 added. */
function changed(p: NetworkPolicy): NetworkPolicy {
  const ingress = [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 443 }] }];
  const egress = [...(p.spec.egress ?? []), { to: [{ namespaceSelector: {} }], ports: [{ port: 8080 }] }];
  return { ...p, spec: { ...p.spec, policyTypes: ['Ingress', 'Egress'], ingress, egress } };
}

// Policies with a label selector (a default deny of a namespace is a different kind of change).
const candidates = policies.filter((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0);
const before = { policies, namespaces, pods };
const rows: string[] = [];
const times: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const target = candidates[(round * 97) % candidates.length]!;
  const after = { ...before, policies: policies.map((p) => (p === target ? changed(p) : p)) };
  const key = `${target.metadata.namespace}/${target.metadata.name}`;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const r = computeImpact({ before, after, changed: [key] });
  const ms = performance.now() - t0;
  const cpuMs = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000;
  times.push(ms);
  const denied = r.paths.filter((p) => p.change === 'newly-denied').length;
  rows.push(`${key}: ${ms.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms), ${r.counts.pairs} pairs of ${r.counts.endpoints} endpoints, ${r.counts.connections} connections checked; ${denied} newly denied, ${r.paths.length - denied} newly allowed`);
}
console.log(`impact of one changed policy: ${pods.length} pods, ${policies.length} policies, ${namespaces.length} namespaces`);
for (const r of rows) console.log(`  ${r}`);
const worst = Math.max(...times);
console.log(`worst ${worst.toFixed(0)} ms, best ${Math.min(...times).toFixed(0)} ms; goal < 2000 ms: ${worst < 2000 ? 'met' : 'NOT met'}`);
