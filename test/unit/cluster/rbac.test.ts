// Least privilege: which namespaces a run uses (from the suites alone), the RBAC built from the run's own
// permission lists, and the promise that ties them: whatever the run's pre-check asks for, the generated
// Roles grant, and nothing is granted anywhere else.
import { expect } from 'chai';
import { budgetPermissions, describePermission, ephemeralPermissions, runPermissions, type Permission } from '../../../src/cluster/access.ts';
import { policyStatePermissions } from '../../../src/cluster/policy-state.ts';
import { grants, rbacManifests, rbacValues, renderRbac, renderRbacValues, rulesFor, type RbacObject } from '../../../src/cluster/rbac-manifests.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import { beyond, namespaceUse, plannedUse, usePermissions } from '../../../src/run/namespace-use.ts';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { expandSuites, loadSuites } from '../../../src/suite/index.ts';
import { casesOf, pod, snapshot } from '../support/world.ts';

const SA = { kind: 'ServiceAccount', name: 'netprobe', namespace: 'netprobe' } as const;
const OFF = { ephemeral: false, synthesizeMissing: false };

// Sources in a (probe pod) and e (ephemeral: true); targets in b (real), s (synthetic), and a host.
const CASES = casesOf(`
  expectations:
    - {name: a to b, from: {namespace: a, podSelector: {matchLabels: {app: web}}}, to: {namespace: b, podSelector: {matchLabels: {app: api}}}, port: 80, expect: allow}
    - {name: a to s, from: {namespace: a, podSelector: {matchLabels: {app: web}}}, to: {namespace: s, podSelector: {matchLabels: {app: ghost}}, synthetic: true}, port: 80, expect: deny}
    - {name: e to host, from: {namespace: e, podSelector: {matchLabels: {app: job}}, ephemeral: true}, to: {host: example.test}, port: 443, expect: deny}
`);

describe('namespaceUse: what a run of some cases reads and writes, from the suites alone', () => {
  it('reads every namespace named; creates pods only where sources are probed from probe pods', () => {
    expect(namespaceUse(CASES, OFF, 'certain')).to.deep.equal({ read: ['a', 'b', 'e', 's'], pods: ['a'], servers: [], ephemeral: [], verify: [] });
  });

  it('possibly also: echo servers for synthetic targets, ephemeral containers for ephemeral sources', () => {
    expect(namespaceUse(CASES, OFF, 'possible')).to.deep.equal({ read: ['a', 'b', 'e', 's'], pods: ['a'], servers: ['s'], ephemeral: ['e'], verify: [] });
  });

  it('--synthesize-missing may put an echo server behind any selector target; --ephemeral adds containers and keeps the probe-pod fallback', () => {
    const use = namespaceUse(CASES, { ephemeral: true, synthesizeMissing: true }, 'possible');
    expect(use.pods).to.deep.equal(['a']);
    expect(use.servers).to.deep.equal(['b', 's']);
    expect(use.ephemeral).to.deep.equal(['a', 'e']);
    // The suite's own `ephemeral: true` never falls back to a probe pod, so e gets no pod create.
    expect(use.pods).not.to.include('e');
  });

  it('covers what a real plan creates: probe pods, echo servers, and --ephemeral sources that found no running pod', () => {
    const opts = { ephemeral: true, synthesizeMissing: false };
    const plan = buildPlan(CASES, snapshot(['a', 'b', 'e', 's'], { pods: [pod('a', 'web', { app: 'web' }, { phase: 'Pending', ready: false }), pod('b', 'api', { app: 'api' }), pod('e', 'job', { app: 'job' })] }), { ...opts, maxRangePorts: 256 });
    const planned = plannedUse(plan);
    expect(planned).to.deep.equal({ read: [], pods: ['a'], servers: ['s'], ephemeral: ['e'], verify: [] });
    // Whatever the run's second check asks for this plan, the output for the suite grants.
    const objects = rbacManifests(usePermissions(namespaceUse(CASES, opts, 'possible')), SA);
    for (const p of usePermissions(planned)) expect(grants(objects, SA, p), describePermission(p)).to.equal(true);
  });
});

describe("beyond: what the run's second check still has to ask", () => {
  it('leaves out namespaces the first check covered; probe-pod namespaces cover echo servers', () => {
    const first = { read: ['a'], pods: ['a'], servers: [], ephemeral: [], verify: [] };
    expect(beyond({ read: [], pods: ['a', 'c'], servers: ['a', 's'], ephemeral: ['e'], verify: [] }, first)).to.deep.equal({ read: [], pods: ['c'], servers: ['s'], ephemeral: ['e'], verify: [] });
  });
});

describe('runPermissions: nothing cluster-wide', () => {
  it('looks a namespace up with a get in that namespace (a Role can grant it), not a cluster-wide list', () => {
    const perms = runPermissions(['a', 'b'], ['a']);
    expect(perms.filter((p) => p.namespace === undefined).map(describePermission)).to.deep.equal([]);
    expect(perms.map(describePermission)).to.include.members(['get namespaces in namespace a', 'get namespaces in namespace b']);
  });
});

describe('rbacManifests: Roles per namespace from the permission lists', () => {
  const objects = rbacManifests(usePermissions(namespaceUse(CASES, OFF, 'possible')), SA);
  const kinds = (o: readonly RbacObject[]) => o.map((x) => `${x.kind} ${x.metadata.namespace ?? ''}/${x.metadata.name}`);

  it('one Role and RoleBinding per namespace, no ClusterRole when nothing is cluster-wide', () => {
    expect(kinds(objects)).to.deep.equal(['a', 'b', 'e', 's'].flatMap((ns) => [`Role ${ns}/netprobe`, `RoleBinding ${ns}/netprobe`]));
  });

  it('grants everything the run asks in every namespace, for that service account only', () => {
    for (const p of usePermissions(namespaceUse(CASES, OFF, 'possible'))) expect(grants(objects, SA, p), describePermission(p)).to.equal(true);
    const p = { verb: 'create', resource: 'pods', namespace: 'a' };
    expect(grants(objects, { kind: 'ServiceAccount', name: 'netprobe', namespace: 'default' }, p)).to.equal(false);
    expect(grants(objects, { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'netprobe' }, p)).to.equal(false);
    expect(grants(objects, { kind: 'ServiceAccount', name: 'other', namespace: 'netprobe' }, p)).to.equal(false);
  });

  it('grants nothing outside those namespaces, and writes only where pods are made', () => {
    for (const verb of ['create', 'deletecollection', 'list']) {
      expect(grants(objects, SA, { verb, resource: 'pods', namespace: 'kube-system' }), verb).to.equal(false);
    }
    for (const ns of ['b', 'e']) expect(grants(objects, SA, { verb: 'create', resource: 'pods', namespace: ns }), ns).to.equal(false);
    // Exec only where probes run: not in b (targets), not in s (only an echo server, never exec'd into).
    for (const ns of ['b', 's']) expect(grants(objects, SA, { verb: 'create', resource: 'pods', subresource: 'exec', namespace: ns }), ns).to.equal(false);
    expect(grants(objects, SA, { verb: 'create', resource: 'pods', namespace: 's' })).to.equal(true);
    expect(grants(objects, SA, { verb: 'update', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'a' })).to.equal(false);
    expect(grants(objects, SA, { verb: 'update', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'e' })).to.equal(true);
    expect(grants(objects, SA, { verb: 'get', resource: 'secrets', namespace: 'a' })).to.equal(false);
  });

  it('whatever runPermissions and ephemeralPermissions list now (or later) is granted, as rules grouped by group and verbs', () => {
    const perms: Permission[] = [...runPermissions(['x', 'y'], ['x']), ...ephemeralPermissions(['y'])];
    const built = rbacManifests(perms, SA);
    for (const p of perms) expect(grants(built, SA, p), describePermission(p)).to.equal(true);
  });

  it('--predict: a read-only ClusterRole for the one cluster-wide verb, bound cluster-wide', () => {
    const perms = [...usePermissions(namespaceUse(CASES, OFF, 'possible')), ...policyStatePermissions(['a', 'b'])];
    const built = rbacManifests(perms, SA);
    const cluster = built.filter((o) => o.kind === 'ClusterRole');
    expect(cluster).to.have.length(1);
    expect(cluster[0]!.metadata.name).to.equal('netprobe-read');
    expect('rules' in cluster[0]! && cluster[0].rules.every((r) => r.verbs.every((v) => ['get', 'list', 'watch'].includes(v)))).to.equal(true);
    for (const p of perms) expect(grants(built, SA, p), describePermission(p)).to.equal(true);
  });

  it('refuses to grant a write cluster-wide', () => {
    expect(() => rbacManifests([{ verb: 'create', resource: 'pods' }], SA)).to.throw(/cluster-wide grant that writes: create pods/);
  });

  it('rules: one per API group and verb set, resources and verbs sorted', () => {
    expect(rulesFor([
      { verb: 'list', resource: 'services', namespace: 'a' },
      { verb: 'list', resource: 'deployments', group: 'apps', namespace: 'a' },
      { verb: 'list', resource: 'pods', namespace: 'a' },
      { verb: 'create', resource: 'pods', namespace: 'a' },
      { verb: 'get', resource: 'pods', subresource: 'exec', namespace: 'a' },
      { verb: 'list', resource: 'configmaps', namespace: 'a' },
    ])).to.deep.equal([
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    ]);
  });

  it('renders a YAML stream kubectl applies: comments, then one document per object', () => {
    const text = renderRbac(objects, ['for a test']);
    expect(text.startsWith('# for a test\n---\n')).to.equal(true);
    const docs = parseAllDocuments(text).map((d) => d.toJS() as RbacObject);
    expect(docs).to.deep.equal(objects);
  });
});

describe('deploy/rbac*.yaml: the examples are what `netprobe rbac suites/demo` prints', () => {
  const rbacDocs = (file: string) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as RbacObject).filter((o) => o.kind.endsWith('Role') || o.kind.endsWith('RoleBinding'));
  for (const [file, ephemeral] of [['deploy/rbac.yaml', false], ['deploy/rbac-ephemeral.yaml', true]] as const) {
    it(`${file}${ephemeral ? ' (--ephemeral)' : ''}`, async () => {
      const loaded = await loadSuites(['suites/demo']);
      expect(loaded.diagnostics).to.deep.equal([]);
      const use = namespaceUse(expandSuites(loaded.suites), { ephemeral, synthesizeMissing: false }, 'possible');
      const docs = rbacDocs(file);
      expect(docs).to.deep.equal(rbacManifests([...usePermissions(use), ...budgetPermissions([...use.pods, ...use.servers], false)], SA));
      expect(docs.some((o) => o.kind.startsWith('Cluster'))).to.equal(false);
    });
  }
});

describe('rbacValues: the same rules as values of charts/netprobe', () => {
  const perms: Permission[] = [
    { verb: 'create', resource: 'pods', namespace: 'a' },
    { verb: 'list', resource: 'pods', namespace: 'b' },
    { verb: 'list', resource: 'namespaces' },
  ];

  it("gives each namespace its Role's rules, and the ClusterRole's rules apart", () => {
    const manifests = rbacManifests(perms, SA);
    const roleRules = (ns: string) => manifests.find((o) => o.kind === 'Role' && o.metadata.namespace === ns);
    const values = rbacValues(perms);
    expect(Object.keys(values.roles)).to.deep.equal(['a', 'b']);
    for (const ns of ['a', 'b']) expect(values.roles[ns]).to.deep.equal((roleRules(ns) as { rules: unknown }).rules);
    expect(values.clusterRules).to.deep.equal([{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }]);
  });

  it('refuses a cluster-wide write, as rbacManifests does', () => {
    expect(() => rbacValues([{ verb: 'delete', resource: 'pods' }])).to.throw(/cluster-wide grant that writes: delete pods/);
  });

  it('renders a values file under rbac:, after comment lines', () => {
    const text = renderRbacValues(rbacValues(perms), ['for a test']);
    expect(text.startsWith('# for a test\nrbac:\n  roles:\n')).to.equal(true);
    expect(parseAllDocuments(text)[0]!.toJS()).to.deep.equal({ rbac: rbacValues(perms) });
  });
});

describe('deploy/job.yaml: its Roles grant what `netprobe rbac suites/demo` grants, by namespace', () => {
  it('has one Role per namespace of the demo suites, with exactly those rules', async () => {
    const loaded = await loadSuites(['suites/demo']);
    const use = namespaceUse(expandSuites(loaded.suites), OFF, 'possible');
    const expected = rbacValues([...usePermissions(use), ...budgetPermissions([...use.pods, ...use.servers], false)]).roles;
    const docs = parseAllDocuments(readFileSync('deploy/job.yaml', 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string }; rules?: unknown });
    const roles = Object.fromEntries(docs.filter((o) => o.kind === 'Role').map((o) => [o.metadata.namespace, o.rules]));
    expect(roles).to.deep.equal(expected);
    expect(docs.some((o) => o.kind.startsWith('Cluster'))).to.equal(false);
  });
});
