// Probing from inside a real pod (an ephemeral container) on the local cluster: the probes leave from the
// workload's own pod, the container is stopped at the end, and no probe pod is created for that source.
import { expect } from 'chai';
import type { Report } from '../../src/verdict/model.ts';
import { clusterEnv, kubectl, leftoverPods, netprobe, startNetprobe, tempFile, waitUntil, type CliRun } from './support.ts';

// A pod reaching its own address never leaves its network namespace, so no policy applies: that path is
// open from inside the web pod, and closed (web's egress goes to the API only) from a probe pod with web's labels.
const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: ephemeral}
spec:
  defaults: {namespace: demo-frontend}
  expectations:
    - name: web reaches its own address
      from: {workload: {kind: Deployment, name: web}}
      to: {workload: {kind: Deployment, name: web}}
      port: 8080
      expect: allow
    - name: web calls the API
      from: {workload: {kind: Deployment, name: web}}
      to: {namespace: demo-api, podSelector: {matchLabels: {app: api}}}
      port: 8080
      expect: allow
    - name: web cannot reach the database
      from: {workload: {kind: Deployment, name: web}}
      to: {namespace: demo-db, podSelector: {matchLabels: {app: postgres}}}
      port: 5432
      expect: deny
`;

interface EphemeralStatus {
  name: string;
  state?: { running?: object; terminated?: { exitCode: number } };
}

async function webPods(): Promise<{ name: string; ephemeral: EphemeralStatus[] }[]> {
  const out = JSON.parse(await kubectl(['get', 'pods', '-n', 'demo-frontend', '-l', 'app=web', '-o', 'json'])) as {
    items: { metadata: { name: string }; status: { ephemeralContainerStatuses?: EphemeralStatus[] } }[];
  };
  return out.items.map((p) => ({ name: p.metadata.name, ephemeral: p.status.ephemeralContainerStatuses ?? [] }));
}

function statuses(run: CliRun): Record<string, string> {
  const report = JSON.parse(run.stdout) as Report;
  return Object.fromEntries(report.results.map((r) => [r.expectation, r.status]));
}

describe('e2e: probing from inside a running pod (ephemeral containers)', function () {
  let file: string;
  before(function () {
    clusterEnv(this);
    file = tempFile('ephemeral.yaml', SUITE);
  });

  it('--dry-run plans an ephemeral container in one web pod and no probe pod', async () => {
    const run = await netprobe(['run', file, '--ephemeral', '--dry-run']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('0 probe pods');
    expect(run.stdout).to.match(/ephemeral container in pod demo-frontend\/web-[a-z0-9-]+ /);
  });

  it('probes from the pod itself, then stops the container it added (which stays in the spec)', async () => {
    const before = await webPods();
    const run = await netprobe(['run', file, '--ephemeral', '-o', 'json', '--quiet']);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(statuses(run)).to.deep.equal({
      'web reaches its own address': 'pass',
      'web calls the API': 'pass',
      'web cannot reach the database': 'pass',
    });
    const added = async () =>
      (await webPods()).flatMap((p) => {
        const old = new Set(before.find((b) => b.name === p.name)?.ephemeral.map((e) => e.name) ?? []);
        return p.ephemeral.filter((e) => !old.has(e.name));
      });
    const found = await added();
    expect(found, 'one new ephemeral container').to.have.length(1);
    expect(found[0]!.name).to.match(/^netprobe-[0-9a-f]{6}$/);
    // The kubelet reports the stop within a second or two of the run's end.
    await waitUntil('the ephemeral container to be stopped', async () => (await added())[0]?.state?.terminated !== undefined, 20_000);
    expect((await added())[0]!.state?.terminated?.exitCode).to.equal(0);
    expect(await leftoverPods()).to.deep.equal([]);
  });

  it('the same suite from a probe pod with web\'s labels: the self path is closed by web\'s egress policy', async () => {
    const run = await netprobe(['run', file, '-o', 'json', '--quiet']);
    expect(run.code, run.stderr).to.equal(1);
    expect(statuses(run)).to.deep.equal({
      'web reaches its own address': 'broken',
      'web calls the API': 'pass',
      'web cannot reach the database': 'pass',
    });
  });

  it('ephemeral: true in the suite asks for the same, and a source with no running pod is inconclusive', async () => {
    const suite = SUITE.replace(/from: \{workload: \{kind: Deployment, name: web\}\}/g, 'from: {workload: {kind: Deployment, name: web}, ephemeral: true}').replace(
      '  expectations:\n',
      '  expectations:\n    - name: from a workload with no pod\n      from: {workload: {kind: Deployment, name: nothing-here}, ephemeral: true}\n      to: {namespace: demo-api, podSelector: {matchLabels: {app: api}}}\n      port: 8080\n      expect: deny\n',
    );
    const run = await netprobe(['run', tempFile('ephemeral-field.yaml', suite), '-o', 'json', '--quiet']);
    const report = JSON.parse(run.stdout) as Report;
    expect(statuses(run)).to.deep.equal({
      'from a workload with no pod': 'inconclusive',
      'web reaches its own address': 'pass',
      'web calls the API': 'pass',
      'web cannot reach the database': 'pass',
    });
    expect(report.results.find((r) => r.expectation === 'from a workload with no pod')!.detail).to.contain('does not exist');
  });

  // The echo server standing in for the target keeps the run settling while the container runs.
  const SETTLING = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: settling}
spec:
  expectations:
    - name: web to a stand-in
      from: {namespace: demo-frontend, workload: {kind: Deployment, name: web}, ephemeral: true}
      to: {namespace: demo-frontend, podSelector: {matchLabels: {app: stand-in}}, synthetic: true}
      port: 8080
      expect: deny
`;
  const running = async () => (await webPods()).flatMap((p) => p.ephemeral.filter((e) => e.state?.running));
  const startSettling = async () => {
    // The runs above stopped theirs; the kubelet may take a second or two to report it.
    await waitUntil('earlier runs\' ephemeral containers to be reported stopped', async () => (await running()).length === 0, 20_000);
    const run = startNetprobe(['run', tempFile('settling.yaml', SETTLING), '--settle', '120', '--quiet']);
    await waitUntil('the ephemeral container to run', async () => (await running()).length > 0, 90_000);
    return run;
  };

  it('Ctrl-C stops the ephemeral container and deletes the echo server before exiting', async () => {
    const run = await startSettling();
    run.child.kill('SIGINT');
    const done = await run.done;
    expect(done.code, done.stderr).to.equal(130);
    expect(await leftoverPods()).to.deep.equal([]);
    await waitUntil('the ephemeral container to be reported stopped', async () => (await running()).length === 0, 20_000);
  });

  it('after kill -9, netprobe clean --run stops the ephemeral container the run left running', async () => {
    const run = await startSettling();
    const runId = /^netprobe-(\w+)$/.exec((await running())[0]!.name)![1]!;
    run.child.kill('SIGKILL');
    await run.done;
    // The killed run's deadline is still ahead: plain `clean` leaves it alone, naming it cleans it now.
    const kept = await netprobe(['clean', '-n', 'demo-frontend']);
    expect(kept.stdout).to.contain(`left run ${runId} alone`);
    expect(await running()).to.have.length(1);
    const clean = await netprobe(['clean', '--run', runId]);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.contain('stopped 1 ephemeral container');
    await waitUntil('the ephemeral container to stop', async () => (await running()).length === 0, 20_000);
    await waitUntil('the stand-in echo server to go', async () => (await leftoverPods()).length === 0, 60_000);
  });
});
