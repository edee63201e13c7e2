// charts/netprobe on the local cluster, with helm built from tools/helm (scripts/tool helm) and the
// runner image built here (probes/build.sh --only runner) and loaded under a test-only name. In
// namespaces of this file's own (chart-e2e-*): a tiny app (a server pod, NetworkPolicies that let only
// the client in) and the release. The release's hook Job runs netprobe in the cluster with its
// ServiceAccount's token (no kubeconfig) on the suite mounted from the chart's ConfigMap:
// (a) `helm install --wait` succeeds while the policies hold; (b) with a planted leak `helm upgrade`
// fails, and the failed Job's log names the leak; (c) `helm uninstall` leaves nothing of netprobe's;
// (d) mode continuous: the Deployment runs `netprobe watch` and its Service serves /metrics; (e) mode job
// as plain manifests (what deploy/job.yaml is) and (f) mode cronjob run to a pass and leave nothing.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { clusterEnv, kubectl, netprobe, REPO, tempFile, waitUntil, type ClusterEnv } from './support.ts';

const run = promisify(execFile);
const APP = 'chart-e2e-app';
const REL = 'chart-e2e-rel';
const RELEASE = 'e2e';
const WATCH_RELEASE = 'e2e-watch';
const PLAIN = 'e2e-plain';
const CRON_RELEASE = 'e2e-cron';
const PASSED = /PASSED 0 leaks, 0 broken, 0 inconclusive, 2 passed \(2 total\)/;
const JOB = `${RELEASE}-netprobe-check`;
const IMAGE = 'localhost/netprobe-test/netprobe:chart-e2e';

const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: chart-e2e}
spec:
  defaults: {timeoutSeconds: 2, attempts: 2}
  endpoints:
    client:   {namespace: ${APP}, podSelector: {matchLabels: {app: client}}, synthetic: true}
    stranger: {namespace: ${APP}, podSelector: {matchLabels: {app: stranger}}, synthetic: true}
    server:   {namespace: ${APP}, podSelector: {matchLabels: {app: server}}}
  expectations:
    - {name: the client reaches the server, from: client, to: server, port: 8080, expect: allow}
    - {name: a stranger never reaches the server, from: stranger, to: server, port: 8080, expect: deny}
`;

const APP_YAML = `apiVersion: v1
kind: Pod
metadata: {name: server, namespace: ${APP}, labels: {app: server}}
spec:
  terminationGracePeriodSeconds: 0
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: server
      image: ECHO_IMAGE
      imagePullPolicy: IfNotPresent
      command: [/usr/local/bin/netprobe-agent, serve, --tcp, "8080"]
      ports: [{containerPort: 8080, name: http}]
      readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ${APP}}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server-from-client, namespace: ${APP}}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 8080}]}]
`;

// The planted leak: someone opens the server to every pod.
const LEAK = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: planted-leak, namespace: ${APP}}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress: [{}]
`;

interface Ran {
  code: number;
  out: string;
  ms: number;
}

/** Runs a command; never throws on a non-zero exit (the tests look at it). */
function sh(file: string, args: string[], timeoutMs = 600_000): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, timeout: timeoutMs });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out, ms: Date.now() - started }));
  });
}

/** Everything of a release anywhere: the objects the chart labels, in every namespace and cluster-wide. */
async function releaseObjects(release = RELEASE): Promise<string[]> {
  const kinds = 'jobs,cronjobs,deployments,pods,configmaps,serviceaccounts,services,roles,rolebindings';
  const namespaced = await kubectl(['get', kinds, '-A', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']);
  const cluster = await kubectl(['get', 'clusterroles,clusterrolebindings', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']);
  return `${namespaced}\n${cluster}`.split('\n').filter(Boolean);
}

describe('e2e: charts/netprobe in each mode (hook, continuous, job, cronjob) with the runner image', function () {
  let env: ClusterEnv;
  let helm = '';
  let helmArgs: string[] = [];
  let valueArgs: string[] = [];

  before(async function () {
    this.timeout(900_000);
    env = clusterEnv(this);
    helm = (await run(path.join(REPO, 'scripts/tool'), ['helm'])).stdout.trim();
    // the image from this checkout: both executables, the runner archive, then onto the node under a name of this test's own
    const exe = await sh(process.execPath, ['scripts/build-exe.ts', 'amd64', 'arm64']);
    expect(exe.code, exe.out).to.equal(0);
    const image = await sh(path.join(REPO, 'probes/build.sh'), ['--only', 'runner', '--exe-dir', 'dist', 'out/chart-e2e-image']);
    expect(image.code, image.out).to.equal(0);
    const load = await sh(path.join(REPO, 'scripts/cluster/cluster'), ['load', 'out/chart-e2e-image/runner.tar', '--name', IMAGE]);
    expect(load.code, load.out).to.equal(0);
    expect(load.out).to.include(IMAGE);

    for (const release of [RELEASE, WATCH_RELEASE, CRON_RELEASE]) await sh(helm, ['uninstall', release, '-n', REL, '--ignore-not-found', '--wait', '--timeout', '120s']);
    await kubectl(['delete', 'namespace', APP, REL, '--ignore-not-found', '--timeout=180s']);
    for (const ns of [APP, REL]) await kubectl(['create', 'namespace', ns]);
    await kubectl(['apply', '-f', '-'], APP_YAML.replace('ECHO_IMAGE', env.echoImage));
    await kubectl(['wait', '--for=condition=Ready', 'pod/server', '-n', APP, '--timeout=120s']);

    const suite = tempFile('chart-e2e.yaml', SUITE);
    const rbac = await netprobe(['rbac', '-o', 'values', suite]);
    expect(rbac.code, rbac.stderr).to.equal(0);
    valueArgs = [
      '--set', `image.repository=${IMAGE.split(':')[0]}`, '--set', `image.tag=${IMAGE.split(':')[1]}`, '--set', 'image.pullPolicy=Never',
      '--set-file', `suites.chart-e2e\\.yaml=${suite}`, '-f', tempFile('rbac-values.yaml', rbac.stdout),
    ];
    helmArgs = ['-n', REL, '--wait', '--timeout', '300s', ...valueArgs];
  });

  after(async function () {
    this.timeout(300_000);
    for (const release of [RELEASE, WATCH_RELEASE, CRON_RELEASE]) if (helm) await sh(helm, ['uninstall', release, '-n', REL, '--ignore-not-found', '--wait', '--timeout', '120s']);
    await kubectl(['delete', 'namespace', APP, REL, '--ignore-not-found', '--wait=false']);
  });

  it('(a) installs while the policies hold: the hook Job passed and was deleted', async function () {
    this.timeout(600_000);
    const install = await sh(helm, ['install', RELEASE, 'charts/netprobe', ...helmArgs]);
    expect(install.code, install.out).to.equal(0);
    console.log(`      helm install --wait to a passed hook: ${(install.ms / 1000).toFixed(1)} s`);
    expect(await kubectl(['get', 'jobs', '-n', REL, '-o', 'name'])).to.equal('');
    // the Roles went only where the suite reaches
    expect((await kubectl(['get', 'roles', '-A', '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'jsonpath={.items[*].metadata.namespace}'])).trim()).to.equal(APP);
  });

  it('(b) a planted leak fails `helm upgrade`; the failed Job, run in-cluster on the mounted suite, names the leak', async function () {
    this.timeout(600_000);
    await kubectl(['apply', '-f', '-'], LEAK);
    const upgrade = await sh(helm, ['upgrade', RELEASE, 'charts/netprobe', ...helmArgs]);
    expect(upgrade.code, upgrade.out).to.not.equal(0);
    expect(upgrade.out).to.match(/UPGRADE FAILED: .*post-upgrade/);
    // Helm prints the failed hook's log (hook-output-log-policy), and keeps the Job for it
    expect(upgrade.out).to.include('LEAK a stranger never reaches the server');
    const log = await kubectl(['logs', `job/${JOB}`, '-n', REL]);
    expect(log, log).to.match(/✗ LEAK a stranger never reaches the server/);
    // each suite read once: a second copy of it would be two more expectations (and duplicate names)
    expect(log, log).to.match(/FAILED 1 leak, 0 broken, 0 inconclusive, 1 passed \(2 total\)/);
    expect(log, 'the ServiceAccount token, no kubeconfig').to.include('context inClusterContext');
    expect(log, 'not through ..data or the timestamped folder').to.not.include('/suites/..');
    await kubectl(['delete', 'networkpolicy', 'planted-leak', '-n', APP]);
  });

  it('(c) `helm uninstall` leaves nothing of netprobe\'s: no Job (the failed one included), pod, Role, ConfigMap or probe pod', async function () {
    this.timeout(300_000);
    expect(await releaseObjects()).to.include(`job.batch/${JOB}`);
    const uninstall = await sh(helm, ['uninstall', RELEASE, '-n', REL, '--wait', '--timeout', '120s']);
    expect(uninstall.code, uninstall.out).to.equal(0);
    expect(await releaseObjects()).to.deep.equal([]);
    expect(await kubectl(['get', 'jobs,pods', '-n', REL, '-o', 'name'])).to.equal('');
    // (other tests share the cluster: only this file's namespaces are this test's to judge)
    expect(await kubectl(['get', 'pods', '-n', APP, '-l', 'netprobe.dev/run', '-o', 'name'])).to.equal('');
    expect(await kubectl(['get', 'jobs,leases', '-n', APP, '-o', 'name']), "the runs' Leases and expiry Jobs").to.equal('');
  });

  it('(d) mode continuous: `netprobe watch` in a Deployment, /metrics served through its Service, nothing left after uninstall', async function () {
    this.timeout(600_000);
    const install = await sh(helm, ['install', WATCH_RELEASE, 'charts/netprobe', ...helmArgs, '--set', 'mode=continuous', '--set', 'watch.every=5s']);
    expect(install.code, install.out).to.equal(0);
    // through the API server's service proxy: the same Service a Prometheus would scrape
    const metrics = () => kubectl(['get', '--raw', `/api/v1/namespaces/${REL}/services/${WATCH_RELEASE}-netprobe-metrics:metrics/proxy/metrics`]).catch(() => '');
    await waitUntil('a completed round in /metrics', async () => /^netprobe_rounds_total\{outcome="completed"\} [1-9]/m.test(await metrics()), 180_000);
    const text = await metrics();
    expect(text).to.match(/^netprobe_results\{status="pass"\} 2$/m);
    expect(text).to.match(/^netprobe_expectation_status\{[^}]*expectation="a stranger never reaches the server"[^}]*status="pass"\} 1$/m);
    const healthz = await kubectl(['get', '--raw', `/api/v1/namespaces/${REL}/services/${WATCH_RELEASE}-netprobe-metrics:metrics/proxy/healthz`]);
    expect(healthz).to.not.equal('');

    // As docs/post-deploy.md says: stop the watcher first. Uninstalled with a round in flight, Helm deletes the
    // Roles together with its pod, its clean-up is refused, and the round's pods wait for their expiry Job
    // (seen in a fresh-clone CI run with --every 5s). Stopped first, it deletes a round's pods on SIGTERM.
    await kubectl(['scale', '-n', REL, `deployment/${WATCH_RELEASE}-netprobe`, '--replicas=0']);
    await waitUntil('the watcher and its probe pods to go', async () =>
      (await kubectl(['get', 'pods', '-n', REL, '-l', 'app.kubernetes.io/component=watch', '-o', 'name'])) === '' && (await kubectl(['get', 'pods', '-n', APP, '-l', 'netprobe.dev/run', '-o', 'name'])) === '', 120_000);
    const uninstall = await sh(helm, ['uninstall', WATCH_RELEASE, '-n', REL, '--wait', '--timeout', '120s']);
    expect(uninstall.code, uninstall.out).to.equal(0);
    await waitUntil('the release\'s objects to go', async () => (await releaseObjects(WATCH_RELEASE)).length === 0, 120_000);
    expect(await kubectl(['get', 'pods,jobs,leases', '-n', APP, '-l', 'netprobe.dev/run', '-o', 'name']), "the rounds' pods, Leases and expiry Jobs").to.equal('');
  });

  it('(e) mode job as plain manifests (helm template | kubectl apply, as deploy/job.yaml): the Job passes; kubectl delete leaves nothing', async function () {
    this.timeout(300_000);
    const manifests = (await run(helm, ['template', PLAIN, 'charts/netprobe', '-n', REL, '--set', 'mode=job', ...valueArgs], { cwd: REPO, maxBuffer: 16 << 20 })).stdout;
    await kubectl(['apply', '-f', '-'], manifests);
    await kubectl(['wait', '--for=condition=Complete', `job/${PLAIN}-netprobe-check`, '-n', REL, '--timeout=180s']);
    const log = await kubectl(['logs', `job/${PLAIN}-netprobe-check`, '-n', REL]);
    expect(log, log).to.match(PASSED);
    await kubectl(['delete', '-f', '-', '--wait=true'], manifests);
    await waitUntil('the plain Job and its pod to go', async () => (await releaseObjects(PLAIN)).length === 0, 120_000);
    expect(await kubectl(['get', 'pods,jobs,leases', '-n', APP, '-o', 'name'])).to.not.match(/netprobe/);
  });

  it('(f) mode cronjob: a Job made from the CronJob passes; helm uninstall takes it with the CronJob', async function () {
    this.timeout(300_000);
    // a schedule that does not come up during the test: the run is started by hand, as an operator would
    const install = await sh(helm, ['install', CRON_RELEASE, 'charts/netprobe', ...helmArgs, '--set', 'mode=cronjob', '--set', 'schedule=0 0 1 1 *']);
    expect(install.code, install.out).to.equal(0);
    await kubectl(['create', 'job', 'by-hand', `--from=cronjob/${CRON_RELEASE}-netprobe`, '-n', REL]);
    await kubectl(['wait', '--for=condition=Complete', 'job/by-hand', '-n', REL, '--timeout=180s']);
    const log = await kubectl(['logs', 'job/by-hand', '-n', REL]);
    expect(log, log).to.match(PASSED);
    const uninstall = await sh(helm, ['uninstall', CRON_RELEASE, '-n', REL, '--wait', '--timeout', '120s']);
    expect(uninstall.code, uninstall.out).to.equal(0);
    // the Job belongs to the CronJob (ownerReference): the garbage collector removes it and its pod
    await waitUntil('the CronJob\'s Job and pod to go', async () => (await releaseObjects(CRON_RELEASE)).length === 0 && (await kubectl(['get', 'jobs,pods', '-n', REL, '-o', 'name'])) === '', 120_000);
  });
});
