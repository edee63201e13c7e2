// What the cluster will not give a run: a pod the scheduler can never place is reported at once (not after
// the start timeout), and a namespace's ResourceQuota is met with waves. In namespaces of this file's own
// (sched-*), deleted at the end.
import { expect } from 'chai';
import type { Report } from '../../src/verdict/model.ts';
import { clusterEnv, kubectl, netprobe, tempFile, waitUntil } from './support.ts';
import { echoDeployment } from '../../bench/workloads.ts';

const NS = 'sched-unschedulable';
const QUOTA_NS = 'sched-quota';
const BLIND_NS = 'sched-blind';
const BLIND_HOME = 'sched-blind-home';
const MATRIX_NS = 'sched-matrix';

/** One allow from a stand-in to an echo server, both netprobe's pods, in one namespace. */
function standInSuite(namespace: string, sources: number): string {
  const expectations = Array.from({ length: sources }, (_, i) => `    - name: source ${i} reaches the echo server
      from: {namespace: ${namespace}, podSelector: {matchLabels: {app: src-${i}}}, synthetic: true}
      to: {namespace: ${namespace}, podSelector: {matchLabels: {app: echo}}, synthetic: true}
      port: 8080
      expect: allow
`);
  return `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: capacity}
spec:
  expectations:
${expectations.join('')}`;
}

async function freshNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=true']);
  await kubectl(['create', 'namespace', name]);
  // A new namespace gets its default ServiceAccount a moment later; netprobe checks that it exists.
  await waitUntil(`the default ServiceAccount of ${name}`, async () => (await kubectl(['get', 'serviceaccount', '-n', name, '-o', 'name'])).includes('default'), 30_000);
}

async function runPods(namespace: string): Promise<string[]> {
  return (await kubectl(['get', 'pods', '-n', namespace, '-l', 'netprobe.dev/run', '-o', 'name'])).split('\n').filter(Boolean);
}

describe('e2e: pods the cluster cannot place', function () {
  before(async function () {
    clusterEnv(this);
    await freshNamespace(NS);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  });

  it('a pod no node can take (a nodeSelector nothing matches) is reported within 5 s, not at the start timeout', async () => {
    const file = tempFile('suite.yaml', standInSuite(NS, 1));
    const run = await netprobe(['run', file, '--no-predict', '--node-selector', 'netprobe.dev/nowhere=true', '--start-timeout', '120', '-o', 'json', '--quiet']);
    expect(run.code, run.stderr).to.equal(3);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.results).to.have.length(1);
    const r = report.results[0]!;
    expect(r.status).to.equal('inconclusive');
    expect(r.detail).to.match(/did not start: not scheduled: 0\/\d+ nodes are available: .*node affinity\/selector/);
    // From the start of the run to its report (plan, create the anchor and two pods, hear from the
    // scheduler, clean up): seconds, where waiting out --start-timeout would take 120. The process as a
    // whole adds Node's start and the connection (1-2 s more on the shared 2-core machine under load).
    const reportedMs = Date.parse(report.run.finishedAt) - Date.parse(report.run.startedAt);
    expect(reportedMs, `reported after ${reportedMs} ms`).to.be.below(5_000);
    expect(run.ms, `the process took ${run.ms} ms`).to.be.below(15_000);
    expect(await runPods(NS)).to.deep.equal([]);
  });
});

describe('e2e: a namespace whose ResourceQuota admits 5 pods, 20 source identities', function () {
  const quota = `apiVersion: v1
kind: ResourceQuota
metadata: {name: five-pods, namespace: ${QUOTA_NS}}
spec: {hard: {pods: '5'}}
`;
  before(async function () {
    clusterEnv(this);
    await freshNamespace(QUOTA_NS);
    await kubectl(['apply', '-f', '-'], quota);
    await waitUntil('the quota status', async () => (await kubectl(['get', 'resourcequota', '-n', QUOTA_NS, 'five-pods', '-o', 'jsonpath={.status.hard.pods}'])) === '5', 30_000);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', QUOTA_NS, '--ignore-not-found', '--wait=false']);
  });

  it('--dry-run shows the waves and why', async () => {
    const run = await netprobe(['run', tempFile('suite.yaml', standInSuite(QUOTA_NS, 20)), '--dry-run']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('20 probe pods, 1 echo servers');
    expect(run.stdout).to.contain(`5 waves: room for `);
    expect(run.stdout).to.contain(`5 in ${QUOTA_NS}`);
    expect(run.stdout).to.contain(`budget: ResourceQuota ${QUOTA_NS}/five-pods: pods 0 of 5 used, room for 5`);
    for (let i = 1; i <= 5; i++) expect(run.stdout).to.contain(`wave ${i}: 4 probe pods, 1 echo server`);
  });

  it('every expectation decided, in 5 waves of at most 5 pods, and nothing left', async () => {
    const run = await netprobe(['run', tempFile('suite.yaml', standInSuite(QUOTA_NS, 20)), '--no-predict', '-o', 'json']);
    console.log(`      (20 sources in waves: ${(run.ms / 1000).toFixed(1)} s)`);
    expect(run.code, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.results).to.have.length(20);
    expect(report.results.map((r) => r.status)).to.deep.equal(Array(20).fill('pass'));
    expect(run.stderr).to.contain('netprobe: 5 waves: ');
    // The progress line (plain lines off a terminal) names each wave.
    for (let i = 1; i <= 5; i++) expect(run.stderr).to.match(new RegExp(`wave ${i}/5 · `));
    expect(run.stderr).not.to.contain('quota exceeded');
    expect(await runPods(QUOTA_NS)).to.deep.equal([]);
  });
});

describe('e2e: a ResourceQuota the run cannot read (an identity without list resourcequotas or nodes)', function () {
  let kubeconfig: string;
  before(async function () {
    clusterEnv(this);
    await freshNamespace(BLIND_NS);
    await freshNamespace(BLIND_HOME);
    await kubectl(['apply', '-f', '-'], `apiVersion: v1
kind: ResourceQuota
metadata: {name: four-pods, namespace: ${BLIND_NS}}
spec: {hard: {pods: '4'}}
`);
    await kubectl(['create', 'serviceaccount', 'runner', '-n', BLIND_HOME]);
    const suite = tempFile('suite.yaml', standInSuite(BLIND_NS, 8));
    const rbac = await netprobe(['rbac', suite, '--service-account', 'runner', '-n', BLIND_HOME, '--name', 'sched-blind']);
    expect(rbac.code, rbac.stderr).to.equal(0);
    // What `netprobe rbac` prints, less the quota read.
    expect(rbac.stdout).to.contain('resourcequotas, ');
    await kubectl(['apply', '-f', '-'], rbac.stdout.replaceAll('resourcequotas, ', ''));
    const token = (await kubectl(['create', 'token', 'runner', '-n', BLIND_HOME, '--duration', '1h'])).trim();
    const server = (await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
    const ca = (await kubectl(['config', 'view', '--minify', '--raw', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}'])).trim();
    kubeconfig = tempFile('kubeconfig', `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: ${server}, certificate-authority-data: ${ca}}}]
users: [{name: runner, user: {token: ${token}}}]
contexts: [{name: runner, context: {cluster: local, user: runner}}]
current-context: runner
`);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', BLIND_NS, BLIND_HOME, '--ignore-not-found', '--wait=false']);
  });

  it('says what it could not read; the pods the quota refused go again in waves of what did start: all decided', async () => {
    const run = await netprobe(['run', tempFile('suite.yaml', standInSuite(BLIND_NS, 8)), '--kubeconfig', kubeconfig, '--no-predict', '-o', 'json']);
    console.log(`      (8 sources, quota of 4 pods unread: ${(run.ms / 1000).toFixed(1)} s)`);
    // On failure, say which results were not decided and why, not only the progress lines.
    const undecided = () => { try { return JSON.stringify((JSON.parse(run.stdout) as Report).results.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.status}: ${r.detail}`), null, 1); } catch { return run.stdout; } };
    expect(run.code, `${run.stderr}\n${undecided()}`).to.equal(0);
    expect(run.stderr).to.contain('netprobe: free pod slots on the nodes unknown: cannot list nodes and pods cluster-wide (HTTP 403');
    expect(run.stderr).to.contain(`netprobe: ResourceQuotas of ${BLIND_NS} unknown: cannot list them (HTTP 403`);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.results.map((r) => r.status)).to.deep.equal(Array(8).fill('pass'));
    // One wave planned (no limit known); the quota refused some at create; they went again in more waves.
    expect(run.stderr).to.match(/wave 2\/\d+ · /);
    expect(await runPods(BLIND_NS)).to.deep.equal([]);
  });
});

describe('e2e: matrix goes in waves like run', function () {
  const IDENTITIES = 12;
  before(async function () {
    clusterEnv(this);
    await freshNamespace(MATRIX_NS);
    const apps = Array.from({ length: IDENTITIES }, (_, i) => echoDeployment(MATRIX_NS, `app${i}`, { app: `app${i}` }));
    await kubectl(['apply', '-f', '-'], apps.join('---\n'));
    await kubectl(['-n', MATRIX_NS, 'rollout', 'status', 'deployment', '--timeout=300s']);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', MATRIX_NS, '--ignore-not-found', '--wait=false']);
  });

  it(`${IDENTITIES} identities with --max-pods 4: 3 waves of probe pods, every cell decided`, async () => {
    const run = await netprobe(['matrix', '--namespaces', MATRIX_NS, '--max-pods', '4', '-o', 'json']);
    console.log(`      (${IDENTITIES} x ${IDENTITIES} matrix in 3 waves: ${(run.ms / 1000).toFixed(1)} s)`);
    expect(run.code, run.stderr).to.equal(0);
    const m = JSON.parse(run.stdout) as { cells: string[][]; unknown: Record<string, string> };
    expect(m.unknown).to.deep.equal({});
    // No policy in the namespace: every other identity is reachable, the diagonal is the identity itself.
    expect(m.cells.flat().filter((c) => c === 'allowed')).to.have.length(IDENTITIES * (IDENTITIES - 1));
    expect(run.stderr).to.contain('netprobe: 3 waves: ');
    expect(run.stderr).to.contain('--max-pods 4');
    expect(await runPods(MATRIX_NS)).to.deep.equal([]);
  });

  it('--ephemeral: no probe pod at all (an ephemeral container in each identity\'s own pod), every cell decided', async () => {
    const pods = async () => (await kubectl(['get', 'pods', '-n', MATRIX_NS, '-o', 'name'])).split('\n').filter(Boolean).length;
    const run = await netprobe(['matrix', '--namespaces', MATRIX_NS, '--ephemeral', '--max-pods', '1', '-o', 'json']);
    console.log(`      (${IDENTITIES} x ${IDENTITIES} matrix from inside the pods: ${(run.ms / 1000).toFixed(1)} s)`);
    expect(run.code, run.stderr).to.equal(0);
    const m = JSON.parse(run.stdout) as { cells: string[][]; unknown: Record<string, string> };
    expect(m.unknown).to.deep.equal({});
    expect(m.cells.flat().filter((c) => c === 'allowed')).to.have.length(IDENTITIES * (IDENTITIES - 1));
    // Nothing was started: no waves, whatever --max-pods says; the workloads' own pods carry the probes.
    expect(run.stderr).not.to.match(/waves?/);
    expect(await pods()).to.equal(IDENTITIES);
    const ephemeral = await kubectl(['get', 'pods', '-n', MATRIX_NS, '-o', 'jsonpath={range .items[*]}{.spec.ephemeralContainers[*].name}{"\\n"}{end}']);
    expect(ephemeral.split('\n').filter((l) => l.startsWith('netprobe-'))).to.have.length(IDENTITIES);
  });
});

