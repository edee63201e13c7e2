// The simulated runner: the policy engine answers a plan's probes the way a network that enforces
// exactly those policies would. The live runner (src/probe/runner.ts) answers the same probes with real
// traffic; the judge (src/verdict/judge.ts) reads either. Running both over one plan is how `predict`'s
// semantics and `run`'s are held to one another (test/unit/run/two-runners.test.ts). Pure.
//
// The simulated network answers an allowed connection from the target and rejects a denied one at the
// enforcement point (ICMP admin-prohibited from the network): the outcome a rejecting enforcer shows,
// which proves a deny on a pod route without the target's liveness. Only paths the policies judge are
// answered; a name, or a probe the engine cannot judge, is left unanswered (`not-run`). NetworkPolicy is
// L4: an HTTP probe is answered as its connection.
import type { L4Protocol, PodInfo } from '../model/cluster.ts';
import type { Plan, PlannedProbe, ServerSpec, SourceIdentity } from '../plan/types.ts';
import type { ConnectionJudge } from '../policy/predict.ts';
import type { Endpoint } from '../policy/types.ts';
import type { ProbeObservation } from '../probe/types.ts';

const PROTOCOL: Record<PlannedProbe['target']['kind'], L4Protocol> = { tcp: 'TCP', http: 'TCP', udp: 'UDP', dns: 'UDP', sctp: 'SCTP' };

function sourcePod(s: SourceIdentity): PodInfo {
  return { namespace: s.namespace, name: 'netprobe-probe', labels: s.labels, ips: [], containerPorts: [], serviceAccount: s.serviceAccount };
}

function serverPod(s: ServerSpec): PodInfo {
  const containerPorts = s.ports.map((p) => ({ port: p.port, protocol: p.protocol.toUpperCase() as L4Protocol }));
  return { namespace: s.namespace, name: 'netprobe-echo', labels: s.labels, ips: [], containerPorts };
}

/** Where a probe lands once the Service is translated: each backend for a Service route. */
function landings(p: PlannedProbe, servers: ReadonlyMap<string, ServerSpec>): { to: Endpoint; port: number }[] | undefined {
  const t = p.target;
  if (t.route === 'server') {
    const server = t.serverKey === undefined ? undefined : servers.get(t.serverKey);
    return server === undefined || t.port === undefined ? undefined : [{ to: serverPod(server), port: t.port }];
  }
  if (t.route === 'service') {
    const keys = t.aliveKeys.map((k) => /^(.*):(\d+)\/\w+$/.exec(k));
    return keys.every((m) => m !== null) ? keys.map((m) => ({ to: { ip: m![1]! }, port: Number(m![2]) })) : undefined;
  }
  return t.host === undefined || t.port === undefined ? undefined : [{ to: { ip: t.host }, port: t.port }];
}

function observe(p: PlannedProbe, from: PodInfo | undefined, engine: ConnectionJudge, servers: ReadonlyMap<string, ServerSpec>): ProbeObservation {
  const base = { probeId: p.id, ms: 0, attempts: p.attempts };
  const at = landings(p, servers);
  if (from === undefined || at === undefined) return { ...base, outcome: 'not-run', detail: 'simulated: no path the policies can judge' };
  const verdicts = at.map((a) => engine.evaluate({ source: from, destination: a.to, port: a.port, protocol: PROTOCOL[p.target.kind] }));
  const failed = verdicts.find((v) => v.error !== undefined);
  if (failed !== undefined) return { ...base, outcome: 'error', detail: `simulated: ${failed.error}` };
  const allowed = verdicts.filter((v) => v.allowed).length;
  if (allowed === verdicts.length) return { ...base, outcome: 'connected', detail: 'simulated: the policies allow it', answeredBy: 'target' };
  if (allowed === 0) return { ...base, outcome: 'unreachable', detail: 'simulated: the policies deny it', answeredBy: 'network', icmp: 'admin-prohibited', icmpFrom: 'enforcement point' };
  // Through a Service one backend is picked at random: the answer depends on which.
  return { ...base, outcome: 'error', detail: `simulated: ${allowed} of ${verdicts.length} backends allowed; the answer depends on the backend picked` };
}

/** The observation of every probe of the plan, as the policies would have it. */
export function simulateProbes(plan: Plan, engine: ConnectionJudge): Map<string, ProbeObservation> {
  const sources = new Map(plan.sources.map((s) => [s.key, sourcePod(s)]));
  const servers = new Map(plan.servers.map((s) => [s.key, s]));
  return new Map(plan.probes.map((p) => [p.id, observe(p, sources.get(p.sourceKey), engine, servers)]));
}
