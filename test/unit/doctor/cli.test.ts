// The new flags and commands reject bad usage before touching a cluster (exit 2), and doctor says it
// cannot tell (exit 3) when no API answers.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../src/cli/main.ts';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('doctor, run --predict and predict --from-cluster: usage', () => {
  it('doctor takes only valid suites as arguments, and a positive --enforce-timeout', async () => {
    const extra = await cli(['doctor', 'no-such-suite.yaml']);
    expect(extra.code).to.equal(2);
    expect(extra.stderr).to.contain('no-such-suite.yaml');
    const r = await cli(['doctor', '--enforce-timeout', '0', '--probe-image', 'x']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('--enforce-timeout 0: expected a number of seconds');
  });

  it('run rejects --predict with --no-predict, and --policies with either', async () => {
    const a = await cli(['run', 'suites/demo', '--predict', '--no-predict', '--probe-image', 'x']);
    expect(a.code).to.equal(2);
    expect(a.stderr).to.contain('--predict and --no-predict exclude each other');
    const b = await cli(['run', 'suites/demo', '--policies', 'demo/policies', '--predict', '--probe-image', 'x']);
    expect(b.code).to.equal(2);
  });

  it('predict needs --policies or --from-cluster, not both', async () => {
    expect((await cli(['predict', 'suites/demo'])).stderr).to.contain('no --policies PATH given (or --from-cluster)');
    const both = await cli(['predict', 'suites/demo', '--policies', 'demo/policies', '--from-cluster']);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.contain('exclude each other');
  });

  it('doctor cannot tell (exit 3) when the API does not answer', async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'netprobe-doctor-'));
    const kubeconfig = path.join(dir, 'config');
    // A loopback port nothing listens on: the connection is refused at once.
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
    const r = await cli(['doctor', '--kubeconfig', kubeconfig, '--probe-image', 'p', '--echo-image', 'e']);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stdout).to.contain('API: unreachable');
  });

  it('is listed in netprobe --help', async () => {
    expect((await cli(['--help'])).stdout).to.match(/\n {2}doctor +check API access and permissions/);
  });
});
