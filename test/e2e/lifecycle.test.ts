// What a run leaves behind and what it refuses to start: signals, bad input, images that cannot be
// pulled, all on the local cluster (missing permissions: rbac.test.ts).
import { expect } from 'chai';
import { clusterEnv, kubectl, leftoverPods, netprobe, startNetprobe, tempFile, waitUntil } from './support.ts';

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

  // Permissions (refused without RBAC, passing with exactly `netprobe rbac`'s output): test/e2e/rbac.test.ts.
});
