// `netprobe clean` and SIGHUP on the local cluster, in this test's own namespace: clean during a live run
// leaves its pods alone and the run finishes right; after kill -9, plain clean still leaves the run (its
// heartbeat or deadline is fresh) and `clean --run ID` removes it, and once the heartbeat is stale plain
// clean removes it too; SIGHUP cleans up like Ctrl-C.
// Every clean here is scoped to the namespace (-n) or the run (--run): the cluster is shared.
import { expect } from 'chai';
import { clusterEnv, kubectl, netprobe, startNetprobe, tempFile, waitUntil } from './support.ts';

const NS = 'e2e-faults-clean';
const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: clean}
spec:
  defaults: {namespace: ${NS}}
  expectations:
    - name: client reaches server
      from: {podSelector: {matchLabels: {app: client}}, synthetic: true}
      to: {podSelector: {matchLabels: {app: server}}, synthetic: true}
      port: 8080
      expect: allow
`;

/** netprobe's pods in this namespace, as "runId/name". */
async function runPods(): Promise<string[]> {
  const out = await kubectl(['get', 'pods', '-n', NS, '-l', 'netprobe.dev/run', '-o', 'jsonpath={range .items[*]}{.metadata.labels.netprobe\\.dev/run}/{.metadata.name}{"\\n"}{end}']);
  return out.split('\n').filter(Boolean).sort();
}

/** A run kept in flight by a long settle, once its pods exist; returns it and its run id. */
async function startLongRun(settleSeconds: number) {
  const run = startNetprobe(['run', tempFile('clean.yaml', SUITE), '--settle', String(settleSeconds), '--quiet', '-o', 'json']);
  await waitUntil('the run\'s two pods to exist', async () => (await runPods()).length === 2, 90_000);
  const runId = (await runPods())[0]!.split('/')[0]!;
  return { run, runId };
}

describe('e2e: netprobe clean touches only runs that are over; SIGHUP', function () {
  before(async function () {
    clusterEnv(this);
    // An earlier run's namespace may still be terminating: pods cannot be made there.
    await kubectl(['wait', '--for=delete', `namespace/${NS}`, '--timeout=180s']).catch(() => undefined);
    await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}, labels: {pod-security.kubernetes.io/enforce: restricted}}\n`);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
  });

  it('clean during a live run leaves its pods, and the run finishes with the right verdict', async () => {
    const { run, runId } = await startLongRun(15);
    const clean = await netprobe(['clean', '-n', NS]);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.contain(`left run ${runId} alone`);
    expect(await runPods()).to.have.length(2);
    const done = await run.done;
    expect(done.code, done.stderr).to.equal(0);
    const report = JSON.parse(done.stdout) as { results: { status: string }[] };
    expect(report.results.map((r) => r.status)).to.deep.equal(['pass']);
    expect(await runPods()).to.deep.equal([]);
  });

  it('after kill -9: plain clean leaves the run while it looks live, clean --run removes it', async () => {
    const { run, runId } = await startLongRun(300);
    run.child.kill('SIGKILL');
    await run.done;
    const kept = await netprobe(['clean', '-n', NS]);
    expect(kept.code, kept.stderr).to.equal(0);
    expect(kept.stdout).to.match(new RegExp(`left run ${runId} alone: (its heartbeat was renewed|it has no heartbeat and its deadline is in)`));
    expect(await runPods()).to.have.length(2);
    const removed = await netprobe(['clean', '--run', runId]);
    expect(removed.code, removed.stderr).to.equal(0);
    expect(removed.stdout).to.contain('deleted 2 netprobe pods of 1 run');
    await waitUntil('the killed run\'s pods to go', async () => (await runPods()).length === 0, 60_000);
    const leases = await kubectl(['get', 'leases', '-n', NS, '-l', `netprobe.dev/run=${runId}`, '-o', 'name']);
    expect(leases.trim()).to.equal('');
  });

  it('after kill -9 and 30 s without a heartbeat, plain clean removes the run', async () => {
    const { run, runId } = await startLongRun(300);
    run.child.kill('SIGKILL');
    await run.done;
    const lease = () => kubectl(['get', 'lease', '-n', NS, `netprobe-${runId}`, '-o', 'jsonpath={.spec.renewTime}']);
    const renewed = new Date((await lease()).trim());
    // The Lease lasts 30 s after its last renewal.
    await new Promise((r) => setTimeout(r, Math.max(0, renewed.getTime() + 32_000 - Date.now())));
    const clean = await netprobe(['clean', '-n', NS]);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.contain('deleted 2 netprobe pods of 1 run');
    expect(clean.stdout).to.contain('deleted 1 heartbeat Lease');
    await waitUntil('the killed run\'s pods to go', async () => (await runPods()).length === 0, 60_000);
  });

  it('SIGHUP in the middle of a run deletes its pods, as Ctrl-C does', async () => {
    const { run } = await startLongRun(60);
    run.child.kill('SIGHUP');
    const done = await run.done;
    expect(done.code, done.stderr).to.equal(130);
    expect(done.stderr).to.contain('interrupted; pods of run');
    await waitUntil('the run\'s pods to go', async () => (await runPods()).length === 0, 30_000);
  });
});
