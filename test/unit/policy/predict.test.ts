import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.ts';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import { loadManifestFiles } from '../../../src/policy/load-files.ts';
import { standInLabels } from '../../../src/model/selectors.ts';
import { resolveEndpointRef, resolvePeer, serviceName, throughService } from '../../../src/policy/peers.ts';
import { rangeBreakpoints } from '../../../src/policy/predict.ts';
import type { ManifestSet } from '../../../src/policy/manifests.ts';
import type { Report } from '../../../src/verdict/model.ts';

const fixture = (p: string) => fileURLToPath(new URL(`../../fixtures/policy/${p}`, import.meta.url));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('policy peers', () => {
  let world: ManifestSet;
  before(async () => {
    world = await loadManifestFiles([fixture('shop')]);
  });

  it('makes stand-in labels that satisfy the selector', () => {
    expect(standInLabels({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['x', 'y'] }, { key: 'c', operator: 'Exists' }, { key: 'd', operator: 'NotIn', values: ['z'] }] })).to.deep.equal({ a: '1', b: 'x', c: 'netprobe' });
    expect(standInLabels({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] })).to.equal(undefined);
  });

  it('resolves command-line references', () => {
    const ref = (r: string) => {
      const x = resolveEndpointRef(r, world);
      return x.ok ? ('ip' in x.endpoint ? x.endpoint.ip : `${x.endpoint.namespace}/${x.endpoint.name}`) : `error: ${x.reason}`;
    };
    expect(ref('shop/frontend')).to.equal('shop/frontend');
    expect(ref('shop/app=db')).to.equal('shop/db');
    expect(ref('shop/app=nothing')).to.equal('shop/stand-in');
    expect(ref('10.1.2.3')).to.equal('10.1.2.3');
    expect(ref('2001:db8::1')).to.equal('2001:db8::1');
    expect(ref('192.168.7.9/24')).to.equal('192.168.7.0');
    expect(ref('shop/nope')).to.match(/^error: no pod or workload shop\/nope/);
    expect(ref('justaname')).to.match(/^error: /);
  });

  it('resolves suite peers: workloads, services, hosts, URLs', () => {
    const names = (r: ReturnType<typeof resolvePeer>) =>
      r.ok ? r.endpoints.map((e) => ('ip' in e ? e.ip : `${e.namespace}/${e.name}`)) : r.reason;
    expect(names(resolvePeer({ kind: 'workload', namespace: 'shop', workloadKind: 'StatefulSet', name: 'db' }, world))).to.deep.equal(['shop/db']);
    expect(names(resolvePeer({ kind: 'workload', namespace: 'shop', workloadKind: 'Deployment', name: 'db' }, world))).to.match(/no Deployment/);
    expect(names(resolvePeer({ kind: 'service', namespace: 'shop', name: 'api' }, world))).to.deep.equal(['shop/api']);
    expect(names(resolvePeer({ kind: 'host', host: 'example.com' }, world))).to.match(/is a name/);
    const url = resolvePeer({ kind: 'url', url: 'https://[2001:db8::2]/x' }, world);
    expect(url.ok && url.port).to.equal(443);
    expect(names(url)).to.deep.equal(['2001:db8::2']);
  });

  it('reads Service DNS names', () => {
    expect(serviceName('api.shop.svc')).to.deep.equal({ name: 'api', namespace: 'shop' });
    expect(serviceName('api.shop.svc.cluster.local.')).to.deep.equal({ name: 'api', namespace: 'shop' });
    expect(serviceName('example.com')).to.equal(undefined);
    expect(serviceName('a.b.c.svc')).to.equal(undefined);
  });

  it('maps service ports to target ports', () => {
    const svc = world.services[0]!;
    expect(throughService(svc, 80, 'TCP')).to.deep.equal({ name: 'http' });
    expect(throughService(svc, { name: 'web' }, 'TCP')).to.deep.equal({ name: 'http' });
    expect(throughService(svc, 80, 'UDP')).to.equal(80);
    expect(throughService(svc, 81, 'TCP')).to.equal(81);
  });

  it('judges a range at the ports where the answer can change', () => {
    const engine = new PolicyEngine(world);
    expect(rangeBreakpoints(engine, world.pods, 5430, 5440)).to.deep.equal([5430, 5431, 5432, 5433, 5440]);
  });
});

describe('netprobe predict and explain', () => {
  it('predicts every case, flags contradictions and exits 1', async () => {
    const { code, stdout, stderr } = await cli(['predict', '--policies', fixture('shop'), fixture('suites/shop.yaml'), '-o', 'json']);
    expect(code).to.equal(1);
    expect(stderr).to.include('5 policies, 2 namespaces, 4 pods, 1 services');
    const report = JSON.parse(stdout) as Report;
    expect(report.run.command).to.match(/^netprobe predict --policies \S+ \S+ -o json$/);
    const by = Object.fromEntries(report.results.map((r) => [r.name, r]));
    const status = (n: string) => `${by[n]?.status} ${by[n]?.predicted ?? '-'}`;
    expect(status('frontend reaches the api on its named port')).to.equal('pass allowed');
    expect(status('frontend reaches the api through its Service')).to.equal('pass allowed');
    expect(status('api reaches the database')).to.equal('pass allowed');
    expect(status('frontend cannot reach the database')).to.equal('pass denied');
    expect(status('scraper reads api metrics')).to.equal('pass allowed');
    expect(status('api calls partners on 443')).to.equal('pass allowed');
    expect(status('wrong - frontend reaches the database')).to.equal('broken denied');
    expect(status('wrong - scraper is blocked from metrics')).to.equal('leak allowed');
    expect(status('api reaches a named host')).to.equal('inconclusive -');
    expect(status('api port range to the database')).to.equal('broken denied');
    expect(status('frontend resolves cluster names')).to.equal('pass allowed');
    expect(status('frontend calls the api by its Service URL')).to.equal('pass allowed');
    expect(by['frontend resolves cluster names']!.detail).to.include('kube-system/coredns (assumed):dns/UDP');
    expect(by['scraper reads api metrics']!.policies).to.deep.equal(['shop/frontend-to-api']);
    expect(by['frontend cannot reach the database']!.policies).to.include('shop/default-deny');
  });

  it('exits 0 when the policies agree', async () => {
    const { code } = await cli(['predict', '--policies', fixture('shop'), '--only', 'api reaches the database', fixture('suites/shop.yaml')]);
    expect(code).to.equal(0);
  });

  it('rejects missing --policies', async () => {
    const { code, stderr } = await cli(['predict', fixture('suites/shop.yaml')]);
    expect(code).to.equal(2);
    expect(stderr).to.include('no --policies PATH given');
  });

  it('explains one connection', async () => {
    const { code, stdout } = await cli(['explain', '--policies', fixture('shop'), '--from', 'shop/frontend', '--to', 'shop/db', '--port', '5432']);
    expect(code).to.equal(0);
    expect(stdout).to.include('egress of shop/frontend: DENIED');
    expect(stdout).to.include('ingress of shop/db: DENIED');
    expect(stdout).to.match(/verdict: DENIED \(deciding: .*shop\/default-deny/);
  });

  it('explains the admin tiers in order, when admin policies are present', async () => {
    const { code, stdout } = await cli(['explain', '--policies', fixture('shop'), '--policies', fixture('admin'), '--from', 'shop/frontend', '--to', 'monitoring/scraper', '--port', '9100']);
    expect(code).to.equal(0);
    const ingress = stdout.slice(stdout.indexOf('ingress of monitoring/scraper'));
    expect(ingress).to.match(/^ingress of monitoring\/scraper: DENIED \(denied by anp\/metrics-only-from-monitoring ingress\[1\] \(nobody else scrapes\) \(AdminNetworkPolicy\)\)/);
    expect(ingress).to.include('✗ ingress[0] (monitoring may scrape) Pass: peer ✗, port ✓');
    expect(ingress).to.include('✓ ingress[1] (nobody else scrapes) Deny: peer ✓, port ✓');
    const egress = stdout.slice(stdout.indexOf('egress of shop/frontend'), stdout.indexOf('ingress of'));
    expect(egress.indexOf('admin tier')).to.be.lessThan(egress.indexOf('NetworkPolicy tier'));
    expect(egress).to.include('baseline tier: not consulted, NetworkPolicy isolates the pod');
  });

  it('rejects an unknown reference', async () => {
    const { code, stderr } = await cli(['explain', '--policies', fixture('shop'), '--from', 'shop/nope', '--to', 'shop/db', '--port', '5432']);
    expect(code).to.equal(2);
    expect(stderr).to.include('--from no pod or workload shop/nope');
  });
});

describe('predict: a CIDR destination is judged piece by piece', () => {
  const dir = mkdtempSync(pathJoin(tmpdir(), 'netprobe-cidr-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(pathJoin(dir, 'policy.yaml'), `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: partner-egress, namespace: pay}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.0/25]}}]
      ports: [{port: 443}]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: pay, labels: {app: api}}
spec: {containers: [{name: c, image: x}]}
`);
  const suite = (cidr: string) => {
    const file = pathJoin(dir, `suite-${cidr.replace(/[./]/g, '-')}.yaml`);
    writeFileSync(file, `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: cidr}
spec:
  defaults: {namespace: pay}
  expectations:
    - name: api reaches the partner
      from: {podSelector: {matchLabels: {app: api}}}
      to: {cidr: ${cidr}}
      port: 443
      expect: allow
`);
    return file;
  };
  const predicted = async (cidr: string) => {
    const { stdout } = await cli(['predict', '--policies', pathJoin(dir, 'policy.yaml'), suite(cidr), '-o', 'json']);
    const r = (JSON.parse(stdout) as Report).results[0]!;
    return { predicted: r.predicted, status: r.status, detail: r.detail };
  };

  it('a CIDR the except splits is mixed: broken for an allow, and the detail names the open part and the closed one', async () => {
    const p = await predicted('203.0.113.0/24');
    expect(p.status).to.equal('broken');
    expect(p.detail).to.contain('predicted mixed').and.contain('203.0.113.128/25').and.contain('203.0.113.0/25');
  });

  it('a CIDR wholly inside the open part is allowed; wholly inside the except, denied', async () => {
    expect((await predicted('203.0.113.128/26')).predicted).to.equal('allowed');
    expect((await predicted('203.0.113.0/26')).predicted).to.equal('denied');
  });
});
