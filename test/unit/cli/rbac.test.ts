// `netprobe rbac SUITE...`: YAML on stdout with exactly the namespaced RBAC a run of the suites needs;
// invalid suites and flags exit 2 with the problem on stderr and nothing on stdout.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { main } from '../../../src/cli/main.ts';

const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: s}
spec:
  expectations:
    - name: web to api
      tags: [core]
      from: {namespace: shop, podSelector: {matchLabels: {app: web}}}
      to: {namespace: db, podSelector: {matchLabels: {app: pg}}}
      port: 5432
      expect: deny
    - name: job to web
      from: {namespace: batch, podSelector: {matchLabels: {app: job}}, ephemeral: true}
      to: {namespace: shop, podSelector: {matchLabels: {app: web}}}
      port: 80
      expect: allow
`;

function file(text: string): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'netprobe-rbac-')), 'suite.yaml');
  writeFileSync(f, text);
  return f;
}

async function rbac(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['rbac', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  subjects?: { kind: string; name: string; namespace: string }[];
}

const objectsOf = (stdout: string): Obj[] => parseAllDocuments(stdout).map((d) => d.toJS() as Obj).filter((o) => o !== null);
const verbsOn = (o: Obj | undefined, resource: string): string[] => (o?.rules ?? []).filter((r) => r.resources.includes(resource)).flatMap((r) => r.verbs).sort();

describe('netprobe rbac', () => {
  it('prints a Role and RoleBinding per namespace the suite names, bound to netprobe/netprobe by default', async () => {
    const r = await rbac([file(SUITE)]);
    expect(r.code, r.stderr).to.equal(0);
    const objs = objectsOf(r.stdout);
    expect(objs.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).to.deep.equal(
      ['batch', 'db', 'shop'].flatMap((ns) => [`Role ${ns}/netprobe`, `RoleBinding ${ns}/netprobe`]),
    );
    for (const b of objs.filter((o) => o.kind === 'RoleBinding')) expect(b.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: 'netprobe', namespace: 'netprobe' }]);
    const role = (ns: string) => objs.find((o) => o.kind === 'Role' && o.metadata.namespace === ns);
    expect(verbsOn(role('shop'), 'pods')).to.deep.equal(['create', 'deletecollection', 'list']);
    expect(verbsOn(role('shop'), 'pods/exec')).to.deep.equal(['create', 'get']);
    // Only read where only targets are; the ephemeral source's namespace gets containers, not pods.
    expect(verbsOn(role('db'), 'pods')).to.deep.equal(['list']);
    expect(verbsOn(role('db'), 'pods/exec')).to.deep.equal([]);
    expect(verbsOn(role('batch'), 'pods')).to.deep.equal(['get', 'list']);
    expect(verbsOn(role('batch'), 'pods/ephemeralcontainers')).to.deep.equal(['update']);
    expect(r.stdout).not.to.match(/ClusterRole/);
  });

  it('names the subject and objects from the flags; --only narrows the namespaces; --predict adds a read-only ClusterRole', async () => {
    const r = await rbac([file(SUITE), '--service-account', 'probe', '-n', 'ci', '--name', 'np', '--only', 'core', '--predict']);
    expect(r.code, r.stderr).to.equal(0);
    const objs = objectsOf(r.stdout);
    expect(objs.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).to.deep.equal([
      'ClusterRole /np-read',
      'ClusterRoleBinding /np-read',
      'Role db/np',
      'RoleBinding db/np',
      'Role shop/np',
      'RoleBinding shop/np',
    ]);
    expect(objs.find((o) => o.kind === 'ClusterRole')?.rules).to.deep.equal([{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }]);
    expect(verbsOn(objs.find((o) => o.kind === 'Role' && o.metadata.namespace === 'db'), 'networkpolicies')).to.deep.equal(['list']);
    expect(objs.find((o) => o.kind === 'RoleBinding')?.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: 'probe', namespace: 'ci' }]);
  });

  it('ResourceQuotas are listed only where pods go; --capacity adds nodes and pods to the read-only ClusterRole', async () => {
    const plain = objectsOf((await rbac([file(SUITE)])).stdout);
    const role = (objs: Obj[], ns: string) => objs.find((o) => o.kind === 'Role' && o.metadata.namespace === ns);
    expect(verbsOn(role(plain, 'shop'), 'resourcequotas')).to.deep.equal(['list']);
    // db holds only a target; batch only an ephemeral source: no pod of netprobe's goes there.
    expect(verbsOn(role(plain, 'db'), 'resourcequotas')).to.deep.equal([]);
    expect(verbsOn(role(plain, 'batch'), 'resourcequotas')).to.deep.equal([]);
    const r = await rbac([file(SUITE), '--capacity']);
    expect(r.code, r.stderr).to.equal(0);
    const objs = objectsOf(r.stdout);
    expect(objs.filter((o) => o.kind.startsWith('Cluster')).map((o) => `${o.kind} ${o.metadata.name}`)).to.deep.equal(['ClusterRole netprobe-read', 'ClusterRoleBinding netprobe-read']);
    expect(objs.find((o) => o.kind === 'ClusterRole')?.rules).to.deep.equal([{ apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list'] }]);
  });

  it('--user or --group binds a person or a group instead; one subject only', async () => {
    const r = await rbac([file(SUITE), '--user', 'alice@example.com']);
    expect(r.code, r.stderr).to.equal(0);
    const bindings = objectsOf(r.stdout).filter((o) => o.kind === 'RoleBinding');
    expect(bindings).to.have.length(3);
    for (const b of bindings) expect(b.subjects).to.deep.equal([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice@example.com' }]);
    expect(r.stdout).to.contain('# For User alice@example.com.');
    const both = await rbac([file(SUITE), '--user', 'alice', '--service-account', 'ci']);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.contain('--service-account and --user exclude each other');
    expect((await rbac([file(SUITE), '--group', 'sre', '-n', 'x'])).stderr).to.contain('a group has no namespace');
  });

  it('an invalid suite: file:line:col on stderr, exit 2, nothing on stdout', async () => {
    const f = file(SUITE.replace('expect: deny', 'expcet: deny'));
    const r = await rbac([f]);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain(`${f}:11:7:`);
    expect(r.stderr).to.contain('nothing printed');
  });

  it('bad usage exits 2: no suite, a name the API would refuse', async () => {
    expect((await rbac([])).code).to.equal(2);
    const r = await rbac([file(SUITE), '--service-account-namespace', 'Not_A_Namespace']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('--service-account-namespace "Not_A_Namespace": expected a namespace name');
    expect(r.stdout).to.equal('');
  });
});

describe('netprobe rbac -o values', () => {
  it('prints the Roles\' rules by namespace as values of charts/netprobe, and no subject', async () => {
    const f = file(SUITE);
    const manifests = await rbac([f]);
    const values = await rbac(['-o', 'values', f]);
    expect(values.code, values.stderr).to.equal(0);
    const doc = parseAllDocuments(values.stdout)[0]!.toJS() as { rbac: { roles: Record<string, unknown>; clusterRules: unknown[] } };
    const roles = parseAllDocuments(manifests.stdout).map((d) => d.toJS() as { kind: string; metadata: { namespace: string }; rules: unknown }).filter((o) => o.kind === 'Role');
    expect(doc.rbac.roles).to.deep.equal(Object.fromEntries(roles.map((r) => [r.metadata.namespace, r.rules])));
    expect(doc.rbac.clusterRules).to.deep.equal([]);
    expect(values.stdout).to.not.include('subjects');
  });

  it('refuses an output it does not know, exit 2', async () => {
    const r = await rbac(['-o', 'json', file(SUITE)]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('-o "json": expected manifests or values');
    expect(r.stdout).to.equal('');
  });
});
