import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/incident/', import.meta.url));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

function writeTemp(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('incident: commands (no cluster)', () => {
  it('generate isolation-policy prints the policy and applies nothing', async () => {
    const r = await cli(['generate', 'isolation-policy', 'shop', '--selector', 'app=api', '--keep', 'dns']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('kind: NetworkPolicy').and.contain('namespace: shop').and.contain('k8s-app: kube-dns');
  });

  it('generate from-policies on pods that declare no port: says there is nothing to derive, exit 3, prints no suite', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netprobe-incident-'));
    const file = writeTemp(
      dir,
      'idle.yaml',
      `apiVersion: v1
kind: Namespace
metadata: {name: idle}
---
apiVersion: v1
kind: Pod
metadata: {name: sleeper, namespace: idle, labels: {app: sleeper}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: idle}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`,
    );
    const r = await cli(['generate', 'from-policies', '-n', 'idle', '--policies', file]);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.equal('netprobe generate: no pod of idle declares a container port (and no egress rule names an address and port): no expectation to derive\n');
    expect(r.stdout).to.equal('');
  });

  it('generate from-policies --policies: a suite that `netprobe predict` agrees with, and that catches a widened rule', async () => {
    const r = await cli(['generate', 'from-policies', '-n', 'incident-api', '--policies', FIXTURES]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/netprobe generate: \d+ expectations \(\d+ allow, \d+ deny\) from 3 policies of incident-api/);
    const dir = mkdtempSync(path.join(tmpdir(), 'netprobe-incident-'));
    const suite = path.join(dir, 'suite.yaml');
    writeFileSync(suite, r.stdout);
    expect((await cli(['validate', suite])).code).to.equal(0);
    expect((await cli(['predict', suite, '--policies', FIXTURES])).code).to.equal(0);
    // The edit: api-ingress admits every pod of the frontend namespace, not only the web pods.
    const widened = readFileSync(path.join(FIXTURES, 'policies.yaml'), 'utf8').replace('\n      podSelector: {matchLabels: {app: web}}', '');
    const policies = path.join(dir, 'widened.yaml');
    writeFileSync(policies, widened);
    const p = await cli(['predict', suite, '--policies', path.join(FIXTURES, 'app.yaml'), '--policies', policies, '-o', 'json']);
    expect(p.code).to.equal(1);
    const report = JSON.parse(p.stdout) as { results: { expectation: string; status: string }[] };
    const leaks = [...new Set(report.results.filter((x) => x.status === 'leak').map((x) => x.expectation))].sort();
    expect(leaks).to.deep.equal(['deny incident-web.admin -> incident-api.api TCP', 'deny incident-web.any-pod -> incident-api.api TCP']);
  });

  it('on the demo policies: one suite for the three namespaces agrees with them, and a widened demo rule is caught (the worker reaches postgres)', async () => {
    const demo = fileURLToPath(new URL('../../../demo/', import.meta.url));
    const dir = mkdtempSync(path.join(tmpdir(), 'netprobe-incident-demo-'));
    const r = await cli(['generate', 'from-policies', '-n', 'demo-frontend,demo-api,demo-db', '--policies', demo]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('name: policies-demo-frontend-demo-api-demo-db');
    const suite = writeTemp(dir, 'demo.yaml', r.stdout);
    const same = await cli(['predict', suite, '--policies', demo]);
    expect(same.code, same.stdout).to.equal(0);
    // The edit: postgres admits every pod of the API team's namespace, not only the API (AND -> namespace only).
    const data = readFileSync(path.join(demo, 'policies/40-data.yaml'), 'utf8').replace('\n      podSelector: {matchLabels: {app: api}}', '');
    const others = ['00-default-deny', '10-dns-egress', '20-frontend', '30-api'].flatMap((f) => ['--policies', path.join(demo, `policies/${f}.yaml`)]);
    const p = await cli(['predict', suite, '--policies', path.join(demo, 'app'), ...others, '--policies', writeTemp(dir, '40-data.yaml', data), '-o', 'json']);
    expect(p.code).to.equal(1);
    const leaks = (JSON.parse(p.stdout) as { results: { expectation: string; status: string }[] }).results.filter((x) => x.status === 'leak').map((x) => x.expectation);
    expect([...new Set(leaks)]).to.deep.equal(['deny demo-api.worker -> demo-db.postgres TCP']);
  });

  it('refuses bad input before touching a cluster (exit 2)', async () => {
    const probe = ['--probe-image', 'img', '--kubeconfig', '/nonexistent'];
    for (const args of [
      ['generate'],
      ['generate', 'policy', 'x'],
      ['generate', 'isolation-policy'],
      ['generate', 'isolation-policy', 'x', '--keep', 'example.com'],
      ['generate', 'from-policies', '-n', 'x'],
      ['generate', 'from-policies', '--policies', FIXTURES],
      ['isolation', ...probe],
      ['isolation', 'a', 'b', ...probe],
      ['isolation', 'ns', '--selector', 'app', ...probe],
      ['isolation', 'ns', '--keep', 'everything', ...probe],
      ['isolation', 'ns', '--external', '198.51.100.10', ...probe],
      ['isolation', 'ns', '--watch', '0', ...probe],
      ['isolation', 'ns', '-o', 'pdf', ...probe],
      ['matrix', ...probe],
      ['matrix', '--namespaces', 'a', '-o', 'junit', ...probe],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
    }
  });
});
