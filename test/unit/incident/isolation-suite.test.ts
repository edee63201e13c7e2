import { expect } from 'chai';
import { loadGeneratedSuite, NothingToProbeError } from '../../../src/incident/common.ts';
import { IsolationInputError, isolationSuite, parseHostPort } from '../../../src/incident/isolation-suite.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import { parseManifests } from '../../../src/policy/manifests.ts';
import { expandSuites } from '../../../src/suite/index.ts';
import type { Expectation } from '../../../src/suite/model.ts';
import { shopSnapshot } from './world.ts';

function generate(options: Partial<Parameters<typeof isolationSuite>[1]> = {}) {
  const out = isolationSuite(shopSnapshot(), { namespace: 'api', ...options });
  const suites = loadGeneratedSuite(out.yaml, 'isolation.yaml');
  expect(suites).to.have.length(1);
  return { ...out, suite: suites[0]!, cases: expandSuites(suites) };
}

const byName = (es: Expectation[], name: string): Expectation => {
  const e = es.find((x) => x.name === name);
  if (!e) throw new Error(`no expectation ${name}; have ${es.map((x) => x.name).join(' | ')}`);
  return e;
};

describe('incident: isolation suite', () => {
  it('loads through the normal loader, with comments, and denies every path by default', () => {
    const { yaml, suite } = generate();
    expect(yaml).to.match(/^# Written by netprobe isolation api\./);
    expect(yaml).to.contain('# a stand-in for any pod of web');
    expect(suite.name).to.equal('isolation-api');
    expect(suite.expectations.every((e) => e.expect === 'deny')).to.equal(true);
  });

  it('probes ingress from every real identity and an "any pod" stand-in of every other namespace (not kube-system) to every isolated identity on every declared port', () => {
    const { suite, counts } = generate();
    const ingress = suite.expectations.filter((e) => e.tags.includes('ingress'));
    const sources = [...new Set(ingress.map((e) => e.from[0]!.label))].sort();
    expect(sources).to.deep.equal(['db.any-pod', 'db.postgres', 'web.any-pod', 'web.web']);
    expect(counts.sources).to.equal(4);
    const webAny = ingress.find((e) => e.from[0]!.label === 'web.any-pod' && e.to[0]!.label === 'api.api')!;
    expect(webAny.from[0]!.peer).to.deep.equal({ kind: 'pods', namespace: 'web', podSelector: { matchLabels: { 'netprobe.dev/stand-in': 'any-pod' } }, synthetic: true });
    expect(webAny.ports.map((p) => (p.kind === 'number' ? p.port : 0))).to.deep.equal([8080, 9090]);
    // The worker declares UDP: its own expectation, protocol UDP.
    const udp = byName(suite.expectations, 'in web.any-pod -> api.worker');
    expect(udp.protocol).to.equal('UDP');
  });

  it('aims at exactly one identity: the api selector excludes the canary, whose labels include api\'s', () => {
    const { suite } = generate();
    const api = suite.expectations.find((e) => e.to[0]!.label === 'api.api')!.to[0]!.peer;
    expect(api).to.deep.equal({ kind: 'pods', namespace: 'api', podSelector: { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'track', operator: 'DoesNotExist' }] } });
  });

  it('probes egress from each isolated identity to the other namespaces\' pods, DNS and the Kubernetes API; never to netprobe\'s or unready pods', () => {
    const { suite } = generate({ kubeApi: [{ host: '10.96.0.1', port: 443, protocol: 'TCP' }] });
    const egress = suite.expectations.filter((e) => e.tags.includes('egress') && e.from[0]!.label === 'api.api');
    expect(egress.map((e) => e.name)).to.deep.equal([
      'out api.api -> db.postgres',
      'out api.api -> web.web',
      'out api.api -> cluster DNS',
      'out api.api -> kubernetes API 10.96.0.1:443',
    ]);
    expect(byName(suite.expectations, 'out api.api -> cluster DNS').protocol).to.equal('DNS');
    expect(suite.expectations.some((e) => e.name.includes('late') || e.name.includes('netprobe'))).to.equal(false);
  });

  it('keeps DNS, the API and a given address open when asked, with retries on what must work', () => {
    const { suite } = generate({ keep: ['dns', 'kube-api', '198.51.100.10:80'], kubeApi: [{ host: '10.96.0.1', port: 443, protocol: 'TCP' }], external: [parseHostPort('198.51.100.10:443')] });
    expect(byName(suite.expectations, 'out api.api -> cluster DNS')).to.include({ expect: 'allow', attempts: 2 });
    expect(byName(suite.expectations, 'out api.api -> kubernetes API 10.96.0.1:443').expect).to.equal('allow');
    expect(byName(suite.expectations, 'out api.api -> 198.51.100.10:80').expect).to.equal('allow');
    expect(byName(suite.expectations, 'out api.api -> 198.51.100.10:443').expect).to.equal('deny');
  });

  it('when DNS is not kept, asks cluster DNS from a namespace without policies too, so a denied query is proof', () => {
    const { suite, notes } = generate({ dnsControlNamespace: 'db' });
    const control = byName(suite.expectations, 'control: cluster DNS answers db.any-pod');
    expect(control).to.include({ expect: 'allow', protocol: 'DNS', attempts: 2 });
    expect(control.tags).to.deep.equal(['isolation', 'control']);
    expect(notes).to.deep.equal([]);
    expect(generate().notes.join('\n')).to.contain('a denied DNS query may stay inconclusive');
    expect(generate({ keep: ['dns'], dnsControlNamespace: 'db' }).suite.expectations.some((e) => e.tags.includes('control'))).to.equal(false);
  });

  it('saves the "any pod" stand-in only where it cannot show more than the real pods', () => {
    const standIns = (o: Partial<Parameters<typeof isolationSuite>[1]>) =>
      [...new Set(generate(o).suite.expectations.map((e) => e.from[0]!.label).filter((l) => l.endsWith('.any-pod')))].sort();
    // Policies unknown: every stand-in stays.
    expect(standIns({})).to.deep.equal(['db.any-pod', 'web.any-pod']);
    // Known, none anywhere: a new pod of web or db gets exactly what their pods get.
    const none = generate({ policies: [] });
    expect(standIns({ policies: [] })).to.deep.equal([]);
    expect(none.yaml).to.contain('No "any pod" stand-in in db, web: no NetworkPolicy there');
    expect(standIns({ policies: [], adminTiers: true })).to.deep.equal(['db.any-pod', 'web.any-pod']);
    // A policy in web: its pods and a new pod may differ (egress), the stand-in stays.
    const inWeb = parseManifests('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: web}\nspec: {podSelector: {}, policyTypes: [Egress]}\n').policies;
    expect(standIns({ policies: inWeb })).to.deep.equal(['web.any-pod']);
    // A rule of api that admits "any frontend pod but web" lets the stand-in in and not the web pods.
    const notWeb = parseManifests(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: odd, namespace: api}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: frontend}}, podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}}]
`).policies;
    expect(standIns({ policies: notWeb })).to.deep.equal(['web.any-pod']);
    // Without DNS kept, a pod of the first namespace without policies is the control vantage.
    expect(none.suite.expectations.some((e) => e.name === 'control: cluster DNS answers db.postgres')).to.equal(true);
  });

  it('adds a stand-in for the labelled pods a policy of the namespace lets in when none runs yet', () => {
    const policies = parseManifests(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: api}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: frontend}}
      podSelector: {matchLabels: {app: web}}
    - namespaceSelector: {matchLabels: {team: frontend}}
      podSelector: {matchLabels: {app: web-v2}}
`).policies;
    const { suite, yaml } = generate({ policies });
    const v2 = suite.expectations.filter((e) => e.from[0]!.label === 'web.web-v2');
    expect(v2.length).to.be.greaterThan(0);
    expect(v2[0]!.from[0]!.peer).to.deep.include({ namespace: 'web', podSelector: { matchLabels: { app: 'web-v2' } }, synthetic: true });
    expect(yaml).to.contain('a stand-in for the pods policy api/api-ingress admits (ingress rule 0)');
    // app=web runs: the real identity probes that rule, no stand-in is added for it.
    expect(suite.expectations.filter((e) => e.from[0]!.label.startsWith('web.web') && e.from[0]!.label !== 'web.web' && e.from[0]!.label !== 'web.web-v2')).to.deep.equal([]);
  });

  it('with --selector, isolates only those pods and probes from the rest of the namespace too', () => {
    const { suite } = generate({ selector: { app: 'worker' } });
    const targets = new Set(suite.expectations.filter((e) => e.tags.includes('ingress')).map((e) => e.to[0]!.label));
    expect([...targets]).to.deep.equal(['api.worker']);
    expect(suite.expectations.some((e) => e.from[0]!.label === 'api.any-pod')).to.equal(true);
  });

  it('plans a probe pod per source identity and stand-in, no echo server, nothing unprobeable', () => {
    const { cases } = generate({ selector: { app: 'api', track: 'canary' }, fromNamespaces: ['web'] });
    const plan = buildPlan(cases, shopSnapshot());
    expect(plan.unprobeable).to.deep.equal([]);
    // In api: the api and worker identities, the any-pod stand-in, and the canary itself (egress); in web:
    // the web identity (its two replicas are one) and the stand-in.
    expect(plan.sources.map((s) => s.namespace).sort()).to.deep.equal(['api', 'api', 'api', 'api', 'web', 'web']);
    expect(plan.servers).to.deep.equal([]);
  });

  it('refuses what it cannot isolate or check', () => {
    expect(() => isolationSuite(shopSnapshot(), { namespace: 'nope' })).to.throw(IsolationInputError, /namespace nope does not exist/);
    expect(() => isolationSuite(shopSnapshot(), { namespace: 'api', selector: { app: 'ghost' } })).to.throw(NothingToProbeError, /no Running and Ready pod in api matches app=ghost: nothing to isolate/);
    expect(() => isolationSuite(shopSnapshot(), { namespace: 'api', fromNamespaces: ['nope'] })).to.throw(IsolationInputError, /nope/);
    expect(() => parseHostPort('example.com')).to.throw(IsolationInputError, /HOST:PORT/);
    expect(parseHostPort('[2001:db8::1]:53/udp')).to.deep.equal({ host: '2001:db8::1', port: 53, protocol: 'UDP' });
  });
});
