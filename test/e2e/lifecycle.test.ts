// What a run leaves behind and what it refuses to start: signals, bad input, images that cannot be
// pulled, and missing permissions, all on the local cluster.
import { expect } from 'chai';
import { clusterEnv, kubectl, leftoverPods, netprobe, REPO, startNetprobe, tempFile, waitUntil } from './support.ts';

const ONE_PROBE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: lifecycle}
spec:
  expectations:
    - name: web calls the API
      from: {namespace: demo-frontend, podSelector: {matchLabels: {app: web}}}
      to: {namespace: demo-api, podSelector: {matchLabels: {app: api}}}
      port: 8080
      expect: allow
`;

describe('e2e: nothing left behind, nothing created on bad input', function () {
  before(function () {
    clusterEnv(this);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} in the middle of a run deletes every pod it created`, async () => {
      // A long settle keeps the run in flight while its pods exist.
      const run = startNetprobe(['run', 'suites/demo', '--settle', '60', '--quiet']);
      await waitUntil('netprobe pods to exist', async () => (await leftoverPods()).length > 0, 90_000);
      run.child.kill(signal);
      const done = await run.done;
      expect(done.code, done.stderr).to.equal(130);
      expect(done.stderr).to.contain('deleted');
      expect(await leftoverPods()).to.deep.equal([]);
    });
  }

  it('a suite with a bad field exits 2 with file:line:col and creates nothing', async () => {
    const file = tempFile('bad.yaml', ONE_PROBE.replace('expect: allow', 'expcet: allow'));
    // Pods in the namespaces the suite names, and netprobe's anywhere (other tests may run beside this one).
    const pods = () => kubectl(['get', 'pods', '-n', 'demo-frontend', '-o', 'name']).then(async (a) => a + (await kubectl(['get', 'pods', '-n', 'demo-api', '-o', 'name'])));
    const before = await pods();
    const run = await netprobe(['run', file]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10:7: .*expcet`));
    expect(run.stderr).to.contain('nothing was created');
    expect(await pods()).to.equal(before);
    expect(await leftoverPods()).to.deep.equal([]);
  });

  it('a probe image that cannot be pulled gives a clear error long before the start timeout', async () => {
    const file = tempFile('suite.yaml', ONE_PROBE);
    const run = await netprobe(['run', file, '--probe-image', 'localhost/netprobe/missing:0', '--start-timeout', '120', '-o', 'json', '--quiet']);
    expect(run.code, run.stderr).to.equal(3);
    const report = JSON.parse(run.stdout) as { results: { status: string; detail: string }[] };
    expect(report.results[0]!.status).to.equal('inconclusive');
    expect(report.results[0]!.detail).to.match(/ErrImagePull|ImagePullBackOff|ErrImageNeverPull/);
    expect(report.results[0]!.detail).to.contain('localhost/netprobe/missing:0');
    expect(run.ms).to.be.below(100_000);
    expect(await leftoverPods()).to.deep.equal([]);
  });

  describe('permissions', () => {
    let token: string;
    let server: string;
    let ca: string;
    before(async () => {
      await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: netprobe, namespace: default}\n');
      await kubectl(['delete', 'clusterrolebinding', 'netprobe-runner', 'netprobe-ephemeral', '--ignore-not-found']);
      token = (await kubectl(['create', 'token', 'netprobe', '-n', 'default', '--duration', '1h'])).trim();
      server = (await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
      ca = (await kubectl(['config', 'view', '--minify', '--raw', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}'])).trim();
    });
    after(async () => {
      await kubectl(['delete', '-f', `${REPO}/deploy/rbac.yaml`, '-f', `${REPO}/deploy/rbac-ephemeral.yaml`, '--ignore-not-found']);
    });
    const kubeconfig = () =>
      tempFile('kubeconfig', `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: ${server}, certificate-authority-data: ${ca}}}]
users: [{name: netprobe, user: {token: ${token}}}]
contexts: [{name: netprobe, context: {cluster: local, user: netprobe}}]
current-context: netprobe
`);

    it('without RBAC, names exactly what is missing and creates nothing (exit 3)', async () => {
      const file = tempFile('suite.yaml', ONE_PROBE);
      const run = await netprobe(['run', file, '--kubeconfig', kubeconfig(), '--quiet']);
      expect(run.code, run.stderr).to.equal(3);
      expect(run.stderr).to.contain('missing permissions (nothing was created)');
      expect(run.stderr).to.contain('list namespaces (cluster-wide)');
      expect(run.stderr).to.contain('create pods in namespace demo-frontend');
      expect(run.stderr).to.contain('create pods/exec in namespace demo-frontend');
      expect(await leftoverPods()).to.deep.equal([]);
    });

    it('with deploy/rbac.yaml, the same run passes', async () => {
      await kubectl(['apply', '-f', `${REPO}/deploy/rbac.yaml`]);
      const file = tempFile('suite.yaml', ONE_PROBE);
      const run = await netprobe(['run', file, '--kubeconfig', kubeconfig(), '--quiet']);
      expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
      expect(await leftoverPods()).to.deep.equal([]);
    });

    const ephemeralCount = async () =>
      (await kubectl(['get', 'pods', '-n', 'demo-frontend', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.ephemeralContainers[*].name}'])).split(/\s+/).filter(Boolean).length;

    it('--ephemeral with only deploy/rbac.yaml names the ephemeral-container permission and adds nothing', async () => {
      const before = await ephemeralCount();
      const run = await netprobe(['run', tempFile('suite.yaml', ONE_PROBE), '--ephemeral', '--kubeconfig', kubeconfig(), '--quiet']);
      expect(run.code, run.stderr).to.equal(3);
      expect(run.stderr).to.contain('update pods/ephemeralcontainers in namespace demo-frontend');
      expect(run.stderr).not.to.contain('create pods in namespace demo-frontend');
      expect(await ephemeralCount()).to.equal(before);
    });

    it('with deploy/rbac-ephemeral.yaml too, the --ephemeral run passes', async () => {
      await kubectl(['apply', '-f', `${REPO}/deploy/rbac-ephemeral.yaml`]);
      const before = await ephemeralCount();
      const run = await netprobe(['run', tempFile('suite.yaml', ONE_PROBE), '--ephemeral', '--kubeconfig', kubeconfig(), '--quiet']);
      expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
      expect(await ephemeralCount()).to.equal(before + 1);
    });
  });
});
