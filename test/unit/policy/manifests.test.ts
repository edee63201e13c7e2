import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import { loadManifestFiles } from '../../../src/policy/load-files.ts';
import { mergeManifests, parseManifests, type ManifestSet } from '../../../src/policy/manifests.ts';
import type { PodInfo } from '../../../src/model/cluster.ts';

const shopDir = fileURLToPath(new URL('../../fixtures/policy/shop', import.meta.url));

describe('policy manifests', () => {
  let set: ManifestSet;
  before(async () => {
    set = await loadManifestFiles([shopDir]);
  });
  const pod = (ns: string, name: string): PodInfo => {
    const p = set.pods.find((q) => q.namespace === ns && q.name === name);
    if (!p) throw new Error(`no pod ${ns}/${name}`);
    return p;
  };

  it('reads policies, namespaces, pods, workload templates, services and List items', () => {
    expect(set.policies.map((p) => p.metadata.name).sort()).to.deep.equal(
      ['allow-dns', 'api-to-db', 'default-deny', 'frontend-egress', 'frontend-to-api'],
    );
    expect(set.namespaces.map((n) => n.name)).to.deep.equal(['shop', 'monitoring']);
    expect(set.pods.map((p) => `${p.namespace}/${p.name}`).sort()).to.deep.equal(
      ['monitoring/scraper', 'shop/api', 'shop/db', 'shop/frontend'],
    );
    expect(pod('shop', 'frontend')).to.deep.include({
      labels: { app: 'frontend', tier: 'web' },
      containerPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      workload: { kind: 'Deployment', name: 'frontend' },
    });
    expect(pod('monitoring', 'scraper').ips).to.deep.equal(['10.244.1.7']);
    expect(set.services).to.have.length(1);
    expect(set.services[0]).to.deep.include({ selector: { app: 'api' }, clusterIPs: ['10.96.0.20'] });
    expect(set.services[0]!.ports).to.deep.equal([{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(set.skipped).to.have.length(1);
    expect(set.skipped[0]).to.match(/^ConfigMap shop\/settings/);
    expect(set.problems).to.deep.equal([]);
  });

  it('keeps null selectors absent and {} selectors empty', () => {
    const s = parseManifests(
      [
        'kind: NetworkPolicy',
        'metadata: {name: p, namespace: n}',
        'spec:',
        '  podSelector:',
        '  ingress:',
        '    - from:',
        '        - namespaceSelector:',
        '          podSelector: {}',
        '        - namespaceSelector: {}',
      ].join('\n'),
    );
    const spec = s.policies[0]!.spec;
    expect(spec.podSelector).to.deep.equal({});
    expect(spec.ingress![0]!.from).to.deep.equal([{ podSelector: {} }, { namespaceSelector: {} }]);
  });

  it('reports unreadable documents and objects without a name', () => {
    const s = parseManifests('kind: Pod\nmetadata: {}\n---\nkind: [unclosed\n', 'bad.yaml');
    expect(s.problems).to.have.length(2);
    expect(s.problems[0]).to.match(/^bad\.yaml document 1: Pod without metadata\.name/);
    expect(s.problems[1]).to.match(/^bad\.yaml document 2: /);
  });

  it('renames a workload pod that collides with a pod and implies unnamed namespaces', () => {
    const a = parseManifests('kind: Pod\nmetadata: {name: web, namespace: q}\n');
    const b = parseManifests(
      'kind: DaemonSet\nmetadata: {name: web, namespace: q}\nspec: {template: {metadata: {labels: {a: b}}, spec: {}}}\n',
    );
    const m = mergeManifests([a, b]);
    expect(m.pods.map((p) => p.name)).to.deep.equal(['web', 'web-daemonset']);
    expect(m.namespaces).to.deep.equal([{ name: 'q', labels: {} }]);
  });

  describe('the shop application', () => {
    const cases: Array<[string, string, string, number | string, 'TCP' | 'UDP', boolean, string]> = [
      ['shop/frontend', 'shop/api', '', 9000, 'TCP', true, 'frontend egress and api ingress both allow http (9000 on api)'],
      ['shop/frontend', 'shop/api', '', 'http', 'TCP', true, 'the connection port name resolves on api'],
      ['shop/api', 'shop/db', '', 5432, 'TCP', true, 'named port pg on db, both directions'],
      ['shop/frontend', 'shop/db', '', 5432, 'TCP', false, 'frontend egress reaches api only'],
      ['monitoring/scraper', 'shop/api', '', 9100, 'TCP', true, 'AND peer: monitoring namespace and prometheus pods, port metrics'],
      ['monitoring/scraper', 'shop/api', '', 9000, 'TCP', false, 'metrics only for the scraper'],
      ['shop/api', '', '93.184.216.34', 443, 'TCP', true, 'ipBlock 0.0.0.0/0 on 443'],
      ['shop/api', '', '10.1.2.3', 443, 'TCP', false, 'except 10.0.0.0/8'],
      ['shop/frontend', '', '10.96.0.10', 53, 'UDP', false, 'DNS rule names kube-system pods; a bare IP is not one'],
    ];
    for (const [from, to, ip, port, protocol, allowed, why] of cases) {
      it(`${from} -> ${to || ip} ${port}/${protocol}: ${allowed ? 'allow' : 'deny'} (${why})`, () => {
        const engine = new PolicyEngine(set);
        const [fns, fname] = from.split('/');
        const [tns, tname] = to.split('/');
        const v = engine.evaluate({
          source: pod(fns!, fname!),
          destination: to ? pod(tns!, tname!) : { ip },
          port: typeof port === 'number' ? port : { name: port },
          protocol,
        });
        expect(v.allowed, `${v.egress.reason} / ${v.ingress.reason}`).to.equal(allowed);
      });
    }
  });
});
