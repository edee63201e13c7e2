// `netprobe watch`: flags checked before anything touches the cluster, and a round that cannot run (the
// API is down) logged and counted, not a crash; SIGTERM ends it with 130. No cluster: the API address is
// a loopback server that answers 401 (what the rounds do on a real cluster is test/e2e/watch.test.ts).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../src/cli/main.ts';

const BIN = path.resolve('bin/netprobe.js');
const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: s}
spec:
  expectations:
    - name: web to api
      from: {namespace: a, podSelector: {matchLabels: {app: web}}}
      to: {namespace: b, podSelector: {matchLabels: {app: api}}}
      port: 8080
      expect: deny
`;

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(args, { stdout: () => undefined, stderr: (t) => (stderr += t) });
  return { code, stderr };
}

/** An API server on loopback that refuses every request as unauthenticated (an expired token), not retried. */
async function refusingApi(): Promise<Server> {
  const s = createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 })));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}

describe('netprobe watch', () => {
  let dir: string;
  let suite: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netprobe-watch-'));
    suite = path.join(dir, 's.yaml');
    writeFileSync(suite, SUITE);
  });

  const usage: [string, string[], RegExp][] = [
    ['no PATH', [], /no PATH given/],
    ['a bad --every', ['--every', 'often'], /--every often: expected a duration/],
    ['--every under a second', ['--every', '500ms'], /--every: expected at least 1s/],
    ['a bad --metrics', ['--metrics', '9090'], /--metrics 9090: expected \[HOST\]:PORT/],
    ['--verify-targets', ['--verify-targets'], /--verify-targets is not for watch/],
    ['a report on stdout', ['-o', 'json'], /watch writes reports to files only/],
    ['--predict with --no-predict', ['--predict', '--no-predict'], /--predict and --no-predict exclude each other/],
  ];
  for (const [what, args, message] of usage) {
    it(`refuses ${what} (exit 2, usage)`, async () => {
      const r = await cli(['watch', ...args, ...(what === 'no PATH' ? [] : [suite])]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(message);
    });
  }

  it('refuses a source with ephemeral: true, at its position', async () => {
    const file = path.join(dir, 'eph.yaml');
    writeFileSync(file, SUITE.replace('{app: web}}}', '{app: web}}, ephemeral: true}'));
    const r = await cli(['watch', file]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/eph\.yaml:7:\d+: .*ephemeral: true.*not for watch/);
  });

  it('--policies that cannot be read: said, exit 2, before the cluster', async () => {
    const r = await cli(['watch', suite, '--policies', path.join(dir, 'no-such-folder'), '--kubeconfig', path.join(dir, 'no-such-kubeconfig')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/netprobe watch: cannot read --policies/);
    expect(r.stderr).to.not.contain('does not exist');
  });

  it('an invalid suite: file:line:col, exit 2', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, SUITE.replace('expect: deny', 'expect: maybe'));
    const r = await cli(['watch', file]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/bad\.yaml:10:\d+: /);
  });

  it('with the API refusing: each round logged as round-failed and counted, /healthz still ok; SIGTERM exits 130', async function () {
    this.timeout(30_000);
    const api = await refusingApi();
    after(() => api.close());
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${(api.address() as AddressInfo).port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n`);
    const child = spawn(process.execPath, [BIN, 'watch', suite, '--every', '1s', '--metrics', '127.0.0.1:0', '--kubeconfig', kubeconfig], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    while (stdout.split('\n').filter((l) => l.includes('round-failed')).length < 2) await new Promise((r) => setTimeout(r, 100));
    const url = /serving (http:\S+)\/metrics/.exec(stderr)?.[1];
    expect(url, stderr).to.be.a('string');
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(Number(/netprobe_rounds_total\{outcome="failed"\} (\d+)/.exec(text)?.[1])).to.be.at.least(2);
    expect(text).to.contain('netprobe_rounds_total{outcome="completed"} 0');
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    child.kill('SIGTERM');
    expect(await exited).to.equal(130);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; round: number; error: string });
    expect(lines.every((l) => l.event === 'round-failed' && /401|Unauthorized|permission/i.test(l.error)), stdout).to.equal(true);
    expect(lines.map((l) => l.round)).to.deep.equal(lines.map((_, i) => i + 1));
  });
});
