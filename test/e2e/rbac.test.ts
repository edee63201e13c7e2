// Least privilege on the local cluster: a ServiceAccount with only what `netprobe rbac` prints for a suite
// over e2e-rbac-a and e2e-rbac-b runs that suite; anything touching e2e-rbac-outside is refused before
// anything is created, naming the missing permission, and the API itself refuses that identity there.
import { expect } from 'chai';
import { AGENT } from '../../src/probe/podspec.ts';
import { clusterEnv, kubectl, netprobe, tempFile, waitUntil, type ClusterEnv } from './support.ts';

const A = 'e2e-rbac-a';
const B = 'e2e-rbac-b';
const OUTSIDE = 'e2e-rbac-outside';
const HOME = 'e2e-rbac-home';
const SA = 'netprobe';
const NAME = 'e2e-rbac';
const CLUSTER_ROLE = `${NAME}-read`;
const NAMESPACES = [A, B, OUTSIDE, HOME];

// web is a real pod in a (so --ephemeral has a pod to probe from); api in b is an echo server netprobe starts.
const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: rbac}
spec:
  expectations:
    - name: web reaches the api
      from: {namespace: ${A}, podSelector: {matchLabels: {app: web}}}
      to: {namespace: ${B}, podSelector: {matchLabels: {app: api}}, synthetic: true}
      port: 8080
      expect: allow
`;
const WITH_OUTSIDE = `${SUITE}    - name: outsider reaches the api
      from: {namespace: ${OUTSIDE}, podSelector: {matchLabels: {app: outsider}}, synthetic: true}
      to: {namespace: ${B}, podSelector: {matchLabels: {app: api}}, synthetic: true}
      port: 8080
      expect: allow
`;

function webPod(env: ClusterEnv): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: A, labels: { app: 'web' } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'web',
        image: env.echoImage,
        imagePullPolicy: 'IfNotPresent',
        command: [AGENT, 'serve', '--tcp', '8080'],
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      }],
    },
  });
}

const podsIn = async (ns: string) => (await kubectl(['get', 'pods', '-n', ns, '-o', 'name'])).split('\n').filter(Boolean);
const netprobePodsIn = async (ns: string) => (await kubectl(['get', 'pods', '-n', ns, '-l', 'netprobe.dev/run', '-o', 'name'])).split('\n').filter(Boolean);
const ephemeralCount = async () => (await kubectl(['get', 'pod', 'web', '-n', A, '-o', 'jsonpath={.spec.ephemeralContainers[*].name}'])).split(/\s+/).filter(Boolean).length;
/** `kubectl auth can-i` as the ServiceAccount: "yes", or "no" (which kubectl reports with exit code 1). */
const canI = async (...args: string[]) =>
  (await kubectl(['auth', 'can-i', ...args, `--as=system:serviceaccount:${HOME}:${SA}`]).catch((e: { stdout?: string; message: string }) => e.stdout ?? e.message)).trim();

/** Applies what `netprobe rbac` prints for the suite (with extra flags). */
async function applyRbac(suiteFile: string, ...flags: string[]): Promise<string> {
  const out = await netprobe(['rbac', suiteFile, '--service-account', SA, '-n', HOME, '--name', NAME, ...flags]);
  expect(out.code, out.stderr).to.equal(0);
  await kubectl(['apply', '-f', '-'], out.stdout);
  return out.stdout;
}

describe('e2e: least privilege with `netprobe rbac`', function () {
  let env: ClusterEnv;
  let kubeconfig: string;
  let suite: string;

  before(async function () {
    env = clusterEnv(this);
    // A clean slate: what an earlier, interrupted run of this file left (Roles included) is gone first.
    await kubectl(['delete', 'clusterrolebinding,clusterrole', CLUSTER_ROLE, '--ignore-not-found']);
    await kubectl(['delete', 'namespace', ...NAMESPACES, '--ignore-not-found', '--timeout=180s']);
    for (const ns of NAMESPACES) await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'serviceaccount', SA, '-n', HOME]);
    await kubectl(['apply', '-f', '-'], webPod(env));
    await kubectl(['wait', '--for=condition=Ready', 'pod/web', '-n', A, '--timeout=120s']);
    const token = (await kubectl(['create', 'token', SA, '-n', HOME, '--duration', '1h'])).trim();
    const server = (await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
    const ca = (await kubectl(['config', 'view', '--minify', '--raw', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}'])).trim();
    kubeconfig = tempFile('kubeconfig', `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: ${server}, certificate-authority-data: ${ca}}}]
users: [{name: ${SA}, user: {token: ${token}}}]
contexts: [{name: ${SA}, context: {cluster: local, user: ${SA}}}]
current-context: ${SA}
`);
    suite = tempFile('rbac.yaml', SUITE);
  });

  after(async () => {
    await kubectl(['delete', 'clusterrolebinding,clusterrole', CLUSTER_ROLE, '--ignore-not-found']);
    await kubectl(['delete', 'namespace', ...NAMESPACES, '--ignore-not-found', '--wait=false']);
  });

  it('without RBAC, names exactly what is missing and creates nothing (exit 3)', async () => {
    const run = await netprobe(['run', suite, '--kubeconfig', kubeconfig, '--quiet']);
    expect(run.code, run.stderr).to.equal(3);
    expect(run.stderr).to.contain('missing permissions (nothing was created)');
    expect(run.stderr).to.contain(`get namespaces in namespace ${A}`);
    expect(run.stderr).to.contain(`create pods in namespace ${A}`);
    expect(run.stderr).to.contain(`create pods/exec in namespace ${A}`);
    expect(run.stderr).to.contain('netprobe rbac SUITE');
    for (const ns of [A, B]) expect(await netprobePodsIn(ns), ns).to.deep.equal([]);
  });

  it('prints only namespaced objects for a and b, and the run with exactly them passes', async () => {
    const yaml = await applyRbac(suite);
    const kinds = [...yaml.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
    expect(kinds).to.deep.equal(['Role', 'RoleBinding', 'Role', 'RoleBinding']);
    // No --no-predict: the default run notices it may not read the policies and goes on without.
    const run = await netprobe(['run', suite, '--kubeconfig', kubeconfig, '-o', 'json', '--quiet']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
    expect(run.stderr).to.contain('no prediction: cannot list namespaces (cluster-wide)');
    const report = JSON.parse(run.stdout) as { results: { status: string }[] };
    expect(report.results.map((r) => r.status)).to.deep.equal(['pass']);
    for (const ns of [A, B]) expect(await netprobePodsIn(ns), ns).to.deep.equal([]);
  });

  it('doctor SUITE checks what a run of that suite needs: only its own canary is missing', async () => {
    const images = ['--probe-image', env.probeImage, '--echo-image', env.echoImage];
    const scoped = await netprobe(['doctor', suite, '--kubeconfig', kubeconfig, ...images]);
    expect(scoped.code, scoped.stdout).to.equal(3);
    expect(scoped.stdout).to.contain("(for doctor's canary)");
    expect(scoped.stdout).not.to.contain('for netprobe run');
    expect(scoped.stdout).to.contain('canary: not run');
    const anywhere = await netprobe(['doctor', '--kubeconfig', kubeconfig, ...images]);
    expect(anywhere.stdout).to.contain('create pods (cluster-wide) (for netprobe run in any namespace');
  });

  it('the API refuses that identity outside a and b, and cluster-wide', async () => {
    expect(await canI('create', 'pods', '-n', A)).to.equal('yes');
    expect(await canI('create', 'pods', '-n', OUTSIDE)).to.match(/^no/);
    expect(await canI('create', 'pods', '--subresource=exec', '-n', 'kube-system')).to.match(/^no/);
    expect(await canI('update', 'pods', '--subresource=ephemeralcontainers', '-n', A)).to.match(/^no/);
    expect(await canI('list', 'namespaces')).to.match(/^no/);
    expect(await canI('get', 'secrets', '-n', A)).to.match(/^no/);
    // b only holds netprobe's echo server: pods may be created there, never exec'd into.
    expect(await canI('create', 'pods', '-n', B)).to.equal('yes');
    expect(await canI('create', 'pods', '--subresource=exec', '-n', B)).to.match(/^no/);
  });

  it('a suite that also touches e2e-rbac-outside is refused before anything is created (exit 3)', async () => {
    const before = await podsIn(OUTSIDE);
    const run = await netprobe(['run', tempFile('outside.yaml', WITH_OUTSIDE), '--kubeconfig', kubeconfig, '--quiet']);
    expect(run.code, run.stderr).to.equal(3);
    expect(run.stderr).to.contain('missing permissions (nothing was created)');
    expect(run.stderr).to.contain(`get namespaces in namespace ${OUTSIDE}`);
    expect(run.stderr).to.contain(`create pods in namespace ${OUTSIDE}`);
    expect(run.stderr).not.to.contain(`namespace ${A}\n`);
    expect(await podsIn(OUTSIDE)).to.deep.equal(before);
    for (const ns of [A, B]) expect(await netprobePodsIn(ns), ns).to.deep.equal([]);
  });

  it('--ephemeral needs `netprobe rbac --ephemeral`: refused and nothing added without it, passes with it', async () => {
    const before = await ephemeralCount();
    const refused = await netprobe(['run', suite, '--ephemeral', '--kubeconfig', kubeconfig, '--no-predict', '--quiet']);
    expect(refused.code, refused.stderr).to.equal(3);
    expect(refused.stderr).to.contain(`update pods/ephemeralcontainers in namespace ${A}`);
    expect(await ephemeralCount()).to.equal(before);

    await applyRbac(suite, '--ephemeral');
    expect(await canI('update', 'pods', '--subresource=ephemeralcontainers', '-n', B)).to.match(/^no/);
    const run = await netprobe(['run', suite, '--ephemeral', '--kubeconfig', kubeconfig, '--no-predict', '--quiet']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
    expect(await ephemeralCount()).to.equal(before + 1);
    await waitUntil('netprobe pods in b to be gone', async () => (await netprobePodsIn(B)).length === 0, 30_000);
  });

  it('--predict needs `netprobe rbac --predict`: one read-only ClusterRole (list namespaces), and the predicted run passes', async () => {
    const refused = await netprobe(['run', suite, '--predict', '--kubeconfig', kubeconfig, '--quiet']);
    expect(refused.code, refused.stderr).to.equal(3);
    expect(refused.stderr).to.contain('list namespaces (cluster-wide)');
    const yaml = await applyRbac(suite, '--predict');
    expect([...yaml.matchAll(/^kind: (Cluster\w+)$/gm)].map((m) => m[1])).to.deep.equal(['ClusterRole', 'ClusterRoleBinding']);
    const rules = JSON.parse(await kubectl(['get', 'clusterrole', CLUSTER_ROLE, '-o', 'jsonpath={.rules}'])) as { verbs: string[] }[];
    expect(rules.flatMap((r) => r.verbs)).to.deep.equal(['list']);
    const run = await netprobe(['run', suite, '--predict', '--kubeconfig', kubeconfig, '-o', 'json', '--quiet']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
    const report = JSON.parse(run.stdout) as { results: { status: string; predicted?: string }[] };
    expect(report.results.map((r) => [r.status, r.predicted])).to.deep.equal([['pass', 'allowed']]);
  });
});
