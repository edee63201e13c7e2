// `netprobe run` with input over the limits: too many cases is refused before the cluster is asked
// anything; too many probes (known only against the cluster: pods x ports) is refused at the
// expectation's file:line:col after reading, before anything is created. Exit 2 both times.
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { main, type CliIO } from '../../../src/cli/main.ts';
import { readyPod, startFakeApi, type FakeApi, type Reply } from '../cluster/fake-api.ts';

const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: s}
spec:
  defaults: {namespace: shop}
  expectations:
    - name: web to every db port
      from: {podSelector: {matchLabels: {app: web}}, synthetic: true}
      to: {podSelector: {matchLabels: {app: db}}}
      port: 1000-1099
      expect: deny
`;

// Ten distinct identities (one pod of each is probed), so 10 x 100 ports.
const DB_PODS: k8s.V1Pod[] = Array.from({ length: 10 }, (_, i) => ({ ...readyPod('shop', `db-${i}`, { app: 'db', shard: String(i) }), spec: { containers: [] } }));

const cluster = ({ method, path }: { method: string; path: string }): Reply => {
  if (method === 'POST' && path.endsWith('/selfsubjectaccessreviews')) return { status: 201, body: { status: { allowed: true } } };
  if (method === 'POST' && path.endsWith('/selfsubjectrulesreviews')) return { status: 201, body: { status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], incomplete: false } } };
  if (method === 'GET' && path === '/api/v1/namespaces') return { status: 200, body: { items: [{ metadata: { name: 'shop' } }] } };
  // A run looks up each namespace it names (a get a Role in it can allow).
  if (method === 'GET' && path === '/api/v1/namespaces/shop') return { status: 200, body: { metadata: { name: 'shop' } } };
  if (method === 'GET' && path === '/api/v1/namespaces/shop/pods') return { status: 200, body: { items: DB_PODS } };
  if (method === 'GET' && path.endsWith('/serviceaccounts')) return { status: 200, body: { items: [{ metadata: { name: 'default', namespace: 'shop' } }] } };
  if (method === 'GET') return { status: 200, body: { items: [] } };
  return { status: 500, body: { kind: 'Status', message: 'this test creates nothing' } };
};

describe('netprobe run: input limits (fake API server)', function () {
  this.timeout(20_000);
  let api: FakeApi;
  let file: string;
  before(async () => {
    api = await startFakeApi();
    file = path.join(path.dirname(api.kubeconfig), 'ports.yaml');
    writeFileSync(file, SUITE);
  });
  after(() => api.close());

  async function run(...flags: string[]): Promise<{ code: number; err: string }> {
    api.handle(cluster);
    let err = '';
    const io: CliIO = { stdout: () => undefined, stderr: (s) => void (err += s) };
    const code = await main(['run', file, '--kubeconfig', api.kubeconfig, '--probe-image', 'x/probe:1', '--no-predict', '--quiet', ...flags], io);
    return { code, err };
  }

  it('more probes than --max-probes (10 pods x 100 ports): exit 2 at the expectation, nothing created', async () => {
    const r = await run('--max-probes', '999');
    expect(r.code, r.err).to.equal(2);
    expect(r.err).to.contain(`${file}:7:7: expectation needs 1,000 probes against the cluster as it is, over the limit of 999 probes`);
    expect(r.err).to.contain('nothing was created');
    expect(api.requests.filter((q) => !q.startsWith('GET') && !/\/selfsubject(access|rules)reviews$/.test(q))).to.deep.equal([]);
  });

  it('within the limit, the same plan goes ahead (dry run)', async () => {
    const r = await run('--max-probes', '1000', '--dry-run');
    expect(r.code, r.err).to.equal(0);
  });

  it('more cases than --max-cases: exit 2 before any request', async () => {
    writeFileSync(file, SUITE.replace('port: 1000-1099', 'ports: [1, 2, 3]'));
    const r = await run('--max-cases', '2');
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/ports\.yaml:7:7: expectation expands to 3 cases .*over the limit of 2 cases/);
    expect(api.requests).to.deep.equal([]);
    writeFileSync(file, SUITE);
  });
});
