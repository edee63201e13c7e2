// "Bad input creates nothing": with a fake API server on loopback that counts requests, an invalid
// suite must not cause a single request, while a valid one does (so the counter is known to work).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

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

function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe('netprobe run: invalid input never reaches the cluster', () => {
  let server: http.Server;
  let requests: string[];
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    requests = [];
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      // Not a passing failure (a 5xx would be retried for half a minute): the run cannot decide at once.
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","code":401,"message":"fake API server"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    dir = mkdtempSync(path.join(tmpdir(), 'netprobe-run-input-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: fake, context: {cluster: fake, user: u}}]
current-context: fake
`,
    );
  });
  after(() => server.close());
  beforeEach(() => (requests.length = 0));

  it('a suite with a typo exits 2 and sends no request', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, SUITE.replace('expect: deny', 'expcet: deny'));
    const r = await runCli(['run', file, '--kubeconfig', kubeconfig, '--probe-image', 'x/probe:1']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/bad\.yaml:10:7: .*expcet/);
    expect(requests).to.deep.equal([]);
  });

  it('a bad flag exits 2 and sends no request', async () => {
    const file = path.join(dir, 'good.yaml');
    writeFileSync(file, SUITE);
    const r = await runCli(['run', file, '--kubeconfig', kubeconfig, '--probe-image', 'x/probe:1', '-o', 'yaml']);
    expect(r.code).to.equal(2);
    expect(requests).to.deep.equal([]);
  });

  it('a valid suite does talk to the API (the counter works) and exits 3 when it cannot decide', async () => {
    const file = path.join(dir, 'good.yaml');
    writeFileSync(file, SUITE);
    const r = await runCli(['run', file, '--kubeconfig', kubeconfig, '--probe-image', 'x/probe:1', '--quiet']);
    expect(r.code, r.stderr).to.equal(3);
    expect(requests.length).to.be.greaterThan(0);
  });
});
