// The runner's steps (start, settle, probe, collect) against the in-memory cluster: the network is the
// simulated runner (the policy engine), and the faults are the ones a real cluster cannot be made to show
// on demand. Each run takes milliseconds; test/e2e holds the same behaviour on the real cluster.
import { expect } from 'chai';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { Plan } from '../../../src/plan/types.ts';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import { execute, type RunnerOptions } from '../../../src/probe/runner.ts';
import { simulateProbes } from '../../../src/run/simulated-runner.ts';
import { judge } from '../../../src/verdict/judge.ts';
import { np } from '../policy/world.ts';
import { FakeCluster, type FakeFaults } from '../support/fake-cluster.ts';
import { casesOf, pod, snapshot } from '../support/world.ts';

const world = snapshot(['shop'], {
  pods: [
    pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.1'] }),
    pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.2'] }),
    pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.3'], readinessPorts: [{ port: 5432, kind: 'tcpSocket' }] }),
  ],
});
const policies = [np('shop', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }] })];
const engine = new PolicyEngine({ policies, namespaces: world.namespaces, pods: world.pods });
const sel = (app: string) => `{namespace: shop, podSelector: {matchLabels: {app: ${app}}}}`;
const plan = (): Plan =>
  buildPlan(
    casesOf(`  expectations:
    - {name: api reaches db, from: ${sel('api')}, to: ${sel('db')}, port: 5432, expect: allow}
    - {name: web cannot reach db, from: ${sel('web')}, to: ${sel('db')}, port: 5432, expect: deny}
`),
    world,
  );

function options(signal = new AbortController().signal): RunnerOptions {
  return { runId: 'r1', probeImage: 'probe:1', echoImage: 'echo:1', deadlineSeconds: 60, imagePullSecrets: [], extraLabels: {}, annotations: {}, nodeSelector: {}, tolerations: [], concurrency: 4, settleMs: 0, startTimeoutMs: 2000, signal };
}

async function run(faults: FakeFaults = {}, signal?: AbortSignal) {
  const p = plan();
  const simulated = simulateProbes(p, engine);
  const cluster = new FakeCluster((id) => simulated.get(id), faults);
  const exec = await execute(cluster, p, options(signal));
  const status = Object.fromEntries(judge({ plan: p, observations: exec.observations, aliveExtra: exec.aliveExtra }).map((r) => [r.name, r.status]));
  return { p, exec, cluster, status };
}

const isSource = (app: string) => (pod: { metadata?: { labels?: Record<string, string> } }) => pod.metadata?.labels?.['app'] === app;

describe('runner on a fake cluster: start, settle, probe, collect', () => {
  it('probes every planned path from its pod and judges it as the policies say', async () => {
    const { p, exec, cluster, status } = await run();
    expect(cluster.created).to.have.length(2);
    expect(exec.observations.size).to.equal(p.probes.length);
    expect(status).to.deep.equal({ 'api reaches db': 'pass', 'web cannot reach db': 'pass' });
    // One exec per source: each source's probes go in one batch.
    expect(cluster.execs.map((e) => e.probes.length)).to.deep.equal([1, 1]);
  });

  it('a probe pod that can never start: its probes are not run, with the kubelet\'s reason; the others go on', async () => {
    const { exec, status } = await run({ readiness: (pod) => (isSource('web')(pod) ? 'ErrImagePull: image probe:1 not found' : 5) });
    expect(status).to.deep.equal({ 'api reaches db': 'pass', 'web cannot reach db': 'inconclusive' });
    const web = [...exec.observations.values()].find((o) => o.outcome === 'not-run')!;
    expect(web.detail).to.match(/^probe pod shop\/netprobe-r1-s\d did not start: ErrImagePull/);
  });

  it('a pod refused for want of room (quota, full node) is counted as crowded out, for a later wave', async () => {
    const { exec, p } = await run({ createFails: (pod) => (isSource('api')(pod) ? { reason: 'exceeded quota: pods=5', kind: 'capacity' } : undefined) });
    const api = p.sources.find((s) => s.labels['app'] === 'api')!;
    expect(exec.crowdedOut).to.deep.equal([api.key]);
    expect(exec.crowdedPods).to.deep.equal({ crowded: 1, of: 2 });
  });

  it('an exec whose answer is lost gives an error for each of its probes, never a deny', async () => {
    const { exec, status } = await run({ execLost: (pod) => pod.endsWith('s0') });
    const lost = [...exec.observations.values()].filter((o) => o.outcome === 'error');
    expect(lost).to.have.length(1);
    expect(lost[0]!.detail).to.equal('no result from the agent: the exec stream broke');
    expect(Object.values(status)).to.include('inconclusive');
    expect(Object.values(status)).to.not.include('broken');
  });

  it('interrupted while pods start (Ctrl-C, SIGTERM): no probe runs, every pod gets a final state, and it returns at once', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    // Pods would take a minute: the test's own timeout (mocha's 2 s) fails it if the run waits for them.
    const { exec, cluster } = await run({ readiness: () => 60_000 }, abort.signal);
    expect(cluster.execs).to.deep.equal([]);
    expect([...exec.observations.values()].map((o) => o.outcome)).to.deep.equal(['not-run', 'not-run']);
    expect([...exec.observations.values()][0]!.detail).to.contain('interrupted');
  });

  it('when the pods\' status cannot be read, the run fails with that error and no source waits forever', async () => {
    const p = plan();
    const cluster = new FakeCluster(() => undefined, { readiness: () => 60_000, waitFails: { afterMs: 10, error: new Error('the API server went away') } });
    let thrown: unknown;
    const abort = new AbortController();
    // As above: pods that never report would hold the run past mocha's 2 s timeout.
    await execute(cluster, p, { ...options(abort.signal), startTimeoutMs: 60_000 }).catch((e: unknown) => (thrown = e));
    // The fake's pods are still "starting": end their waits, or they hold the test process open for a minute.
    abort.abort();
    expect((thrown as Error).message).to.equal('the API server went away');
    expect(cluster.execs).to.deep.equal([]);
  });

  it('a source that probes from inside a running pod gets an ephemeral container, stopped at the end', async () => {
    const p = buildPlan(casesOf(`  expectations:
    - {name: e, from: {namespace: shop, podSelector: {matchLabels: {app: web}}, ephemeral: true}, to: ${sel('db')}, port: 5432, expect: deny}
`), world);
    const simulated = simulateProbes(p, engine);
    const cluster = new FakeCluster((id) => simulated.get(id));
    await execute(cluster, p, options());
    expect(cluster.ephemeral).to.deep.equal(['web-0#netprobe-r1']);
    expect(cluster.created).to.deep.equal([]);
    expect(cluster.execs.map((e) => e.command.slice(1, 2)[0])).to.deep.equal(['probe', 'stop']);
  });
});
