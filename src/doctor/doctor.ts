// netprobe doctor, orchestrated: reach the API, list missing permissions, then a canary in a temporary
// namespace (an echo server and a probe pod, Pod Security restricted): a probe that must connect, then a
// deny-all ingress policy (how long until the probe is blocked), then the same for egress. The namespace
// is deleted at the end, also on Ctrl-C. The verdict is src/doctor/decide.ts.
import type * as k8s from '@kubernetes/client-node';
import { describePermission, missingPermissions, runPermissions, type Permission } from '../cluster/access.ts';
import { createDenyPolicy, createNamespace, deleteNamespace, deletePolicy, serverVersion } from '../cluster/canary.ts';
import type { ClusterTarget } from '../cluster/connect.ts';
import { apiErrorMessage } from '../cluster/errors.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL } from '../cluster/labels.ts';
import { podId } from '../cluster/pods.ts';
import { liveCluster, type ClusterPort } from '../cluster/port.ts';
import { sleep } from '../util/sleep.ts';
import { parseAgentOutput } from '../probe/agent.ts';
import { AGENT, probePod, serverPod, type PodOptions } from '../probe/podspec.ts';
import { pollUntil, type Clock, type DirectionCheck, type DoctorFacts, type ProbeState } from './decide.ts';

export interface DoctorOptions extends Omit<PodOptions, 'runId'> {
  runId: string;
  /** How long a deny policy gets to take effect before doctor says it is not enforced. */
  deadlineMs: number;
  intervalMs: number;
  startTimeoutMs: number;
  signal: AbortSignal;
  log?: (line: string) => void;
  /** What a run of the user's suites needs (`doctor SUITE...`); absent: netprobe run anywhere, cluster-wide. */
  runNeeds?: Permission[];
}

const PORT = 8080;
const SERVER_LABELS = { 'app.kubernetes.io/name': 'netprobe-doctor-echo' };
const PROBE_LABELS = { 'app.kubernetes.io/name': 'netprobe-doctor-probe' };

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

function doctorPermissions(namespace: string, runNeeds: Permission[] | undefined): { perm: Permission; why: string }[] {
  const out: { perm: Permission; why: string }[] = [];
  if (runNeeds !== undefined) for (const p of runNeeds) out.push({ perm: p, why: 'netprobe run of these suites' });
  else {
    for (const p of runPermissions(['*'], ['*'])) {
      const cw = { ...p };
      delete cw.namespace;
      out.push({ perm: cw, why: 'netprobe run in any namespace; `doctor SUITE...` checks only what those suites need' });
    }
  }
  out.push({ perm: { verb: 'list', resource: 'networkpolicies', group: 'networking.k8s.io' }, why: 'predictions from the cluster (run --predict, predict --from-cluster)' });
  for (const verb of ['create', 'delete']) out.push({ perm: { verb, resource: 'namespaces' }, why: "doctor's canary" });
  for (const verb of ['create', 'delete']) out.push({ perm: { verb, resource: 'networkpolicies', group: 'networking.k8s.io', namespace }, why: "doctor's canary" });
  for (const p of runPermissions([], [namespace])) out.push({ perm: p, why: "doctor's canary" });
  out.push({ perm: { verb: 'list', resource: 'pods', namespace }, why: "doctor's canary" });
  // Deduplicate (runPermissions lists namespaces once per list).
  const seen = new Set<string>();
  return out.filter((x) => {
    const k = describePermission(x.perm);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export async function runDoctor(target: ClusterTarget, opts: DoctorOptions): Promise<DoctorFacts> {
  const { kc } = target;
  const log = opts.log ?? (() => {});
  const facts: DoctorFacts = { context: target.context, server: target.server, missing: [], deadlineSeconds: Math.round(opts.deadlineMs / 1000) };
  try {
    facts.version = await serverVersion(kc);
  } catch (err) {
    facts.unreachable = apiErrorMessage(err);
    return facts;
  }
  const namespace = `netprobe-doctor-${opts.runId}`;
  const wanted = doctorPermissions(namespace, opts.runNeeds);
  const missing = await missingPermissions(kc, wanted.map((w) => w.perm));
  facts.missing = missing.map((m) => `${describePermission(m)} (for ${wanted.find((w) => describePermission(w.perm) === describePermission(m))?.why ?? 'netprobe'})`);
  const canaryNeeds = missing.filter((m) => m.namespace === namespace || (m.resource === 'namespaces' && m.verb !== 'list'));
  if (canaryNeeds.length > 0) {
    facts.canaryProblem = `not run: the canary needs ${canaryNeeds.map(describePermission).join(', ')}`;
    return facts;
  }
  if (opts.signal.aborted) return facts;

  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RUN_LABEL]: opts.runId };
  facts.namespace = namespace;
  facts.cleaned = false;
  try {
    log(`creating namespace ${namespace}`);
    await createNamespace(kc, namespace, { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted' });
    await canary(target, namespace, labels, opts, facts, log);
  } catch (err) {
    facts.canaryProblem ??= `failed: ${apiErrorMessage(err)}`;
  } finally {
    try {
      await deleteNamespace(kc, namespace);
      facts.cleaned = true;
    } catch {
      facts.cleaned = false;
    }
  }
  return facts;
}

/** The echo server and the probe pod, started and Ready; or why not (in facts.canaryProblem). */
async function startCanary(port: ClusterPort, namespace: string, opts: DoctorOptions, facts: DoctorFacts, log: (l: string) => void): Promise<{ serverIp: string; probe: string } | undefined> {
  const podOpts: PodOptions = { ...opts, deadlineSeconds: Math.ceil((opts.startTimeoutMs + 4 * opts.deadlineMs) / 1000) + 120 };
  const server = serverPod(`netprobe-${opts.runId}-echo`, { key: 'echo', namespace, labels: SERVER_LABELS, ports: [{ port: PORT, protocol: 'tcp' }], standsFor: 'doctor canary' }, podOpts);
  const probe = probePod(`netprobe-${opts.runId}-probe`, { key: 'probe', namespace, labels: PROBE_LABELS, serviceAccount: 'default', standsFor: 'doctor canary' }, podOpts);
  // A new namespace gets its default ServiceAccount a moment later; until then pods are refused.
  const started = Date.now();
  let failures = await port.createPods([server, probe], 2);
  while (failures.size > 0 && [...failures.values()].every((f) => /serviceaccount|service account/i.test(f.reason)) && Date.now() - started < 30_000 && !opts.signal.aborted) {
    await sleep(500, opts.signal);
    failures = await port.createPods([server, probe].filter((p) => failures.has(podId(p))), 2);
  }
  if (failures.size > 0) {
    facts.canaryProblem = `could not start the canary: ${[...failures.values()][0]!.reason}`;
    return undefined;
  }
  log('waiting for the canary pods');
  const states = await port.waitForPods(opts.runId, [podId(server), podId(probe)], [namespace], { deadlineMs: opts.startTimeoutMs, signal: opts.signal });
  if (opts.signal.aborted) {
    facts.canaryProblem = 'interrupted';
    return undefined;
  }
  const sState = states.get(podId(server));
  const pState = states.get(podId(probe));
  if (!sState?.ready || !pState?.ready) {
    const bad = !sState?.ready ? sState : pState;
    facts.canaryProblem = `the canary pods did not start: ${bad && !bad.ready ? bad.reason : 'unknown'}`;
    return undefined;
  }
  return { serverIp: sState.ip, probe: probe.metadata!.name! };
}

/** One TCP probe from the canary's probe pod to its echo server, as the runner sends a batch (on stdin). */
function canaryProbe(port: ClusterPort, namespace: string, at: { serverIp: string; probe: string }): () => Promise<ProbeState> {
  let n = 0;
  return async () => {
    const spec = { id: `p${n++}`, kind: 'tcp', host: at.serverIp, port: PORT, timeoutMs: 1000, attempts: 1 };
    const r = await port.exec(namespace, at.probe, 'probe', [AGENT, 'probe', '--batch', '-'], 15_000, JSON.stringify({ probes: [spec] }));
    const o = parseAgentOutput(r.stdout)[0];
    if (o === undefined) return 'error';
    if (o.outcome === 'connected') return 'open';
    return o.outcome === 'timeout' || o.outcome === 'refused' || o.outcome === 'unreachable' ? 'blocked' : 'error';
  };
}

/** One direction: a deny-all policy on one side, probed until it takes effect, then deleted. */
async function checkDirection(kc: k8s.KubeConfig, namespace: string, dir: 'Ingress' | 'Egress', labels: Record<string, string>, once: () => Promise<ProbeState>, opts: DoctorOptions, log: (l: string) => void): Promise<DirectionCheck> {
  const key = dir === 'Ingress' ? 'ingress' : 'egress';
  const poll = { intervalMs: opts.intervalMs, aborted: () => opts.signal.aborted };
  // Each direction starts from an open path: the previous policy is gone and its effect too.
  const reopened = await pollUntil(once, 'open', { ...poll, deadlineMs: opts.deadlineMs, confirm: 2 }, realClock);
  if (reopened.afterMs === undefined) return { note: 'the path did not reopen after the previous policy was deleted' };
  const name = `netprobe-doctor-deny-${key}`;
  log(`${key}: deny-all policy ${name}; probing until it takes effect (at most ${Math.round(opts.deadlineMs / 1000)} s)`);
  await createDenyPolicy(kc, namespace, name, dir === 'Ingress' ? SERVER_LABELS : PROBE_LABELS, dir, labels);
  const t = await pollUntil(once, 'blocked', { ...poll, deadlineMs: opts.deadlineMs, confirm: 2 }, realClock);
  await deletePolicy(kc, namespace, name);
  if (t.afterMs !== undefined) return { enforced: true, seconds: t.afterMs / 1000 };
  return t.last === 'open' ? { enforced: false } : opts.signal.aborted ? { note: 'interrupted' } : { note: `probe ${t.last ?? 'never ran'}` };
}

/** The canary: pods through the same cluster port as the runner; a baseline, then each direction. */
async function canary(target: ClusterTarget, namespace: string, labels: Record<string, string>, opts: DoctorOptions, facts: DoctorFacts, log: (l: string) => void): Promise<void> {
  const port = liveCluster(target.kc);
  const at = await startCanary(port, namespace, opts, facts, log);
  if (at === undefined) return;
  const once = canaryProbe(port, namespace, at);
  log('baseline: the probe must connect');
  const base = await pollUntil(once, 'open', { intervalMs: opts.intervalMs, aborted: () => opts.signal.aborted, deadlineMs: 30_000, confirm: 1 }, realClock);
  if (base.afterMs === undefined) {
    facts.canaryProblem = opts.signal.aborted ? 'interrupted' : `baseline failed: the probe pod cannot reach the echo server with no policy at all (last: ${base.last ?? 'no probe'})`;
    return;
  }
  for (const dir of ['Ingress', 'Egress'] as const) {
    if (opts.signal.aborted) return;
    facts[dir === 'Ingress' ? 'ingress' : 'egress'] = await checkDirection(target.kc, namespace, dir, labels, once, opts, log);
  }
}
