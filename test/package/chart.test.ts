// charts/netprobe as it ships, with helm built from tools/helm (scripts/tool helm): lint clean in every
// mode, bad values refused by values.schema.json, the Roles exactly what `netprobe rbac` grants, the pod
// hardened in every mode, the hook's clean-up, and deploy/job.yaml the chart's current output.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { exec, REPO, tempDir } from './support.ts';

const run = promisify(execFile);
const CHART = path.join(REPO, 'charts/netprobe');
const MODES = ['hook', 'job', 'cronjob', 'continuous'] as const;

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  rules?: unknown[];
  subjects?: { kind: string; name: string; namespace?: string }[];
}

interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  containers: { args?: string[]; securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } } }[];
}

/** The pod spec of a Job, CronJob or Deployment. */
function podSpec(o: K8sObject): PodSpec | undefined {
  const spec = o.spec as { template?: { spec: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } } | undefined;
  return spec?.template?.spec ?? spec?.jobTemplate?.spec.template.spec;
}

describe('charts/netprobe', function () {
  this.timeout(120_000);
  let helm = '';
  let demoValues: string[] = [];

  before(async function () {
    this.timeout(900_000);
    helm = (await run(path.join(REPO, 'scripts/tool'), ['helm'], { maxBuffer: 1 << 20 })).stdout.trim();
    const rbac = await exec(process.execPath, ['bin/netprobe.js', 'rbac', '-o', 'values', 'suites/demo'], { cwd: REPO });
    expect(rbac.code, rbac.stderr).to.equal(0);
    const values = path.join(tempDir('chart'), 'rbac-values.yaml');
    writeFileSync(values, rbac.stdout);
    demoValues = ['--set-file', 'suites.zero-trust\\.yaml=suites/demo/zero-trust.yaml', '--set-file', 'suites.planted-bugs\\.yaml=suites/demo/planted-bugs.yaml', '-f', values];
  });

  const template = async (...args: string[]): Promise<{ code: number; objects: K8sObject[]; stderr: string }> => {
    const ran = await exec(helm, ['template', 'np', CHART, '-n', 'np-home', ...args], { cwd: REPO });
    const objects = ran.code === 0 ? parseAllDocuments(ran.stdout).map((d) => d.toJS() as K8sObject).filter(Boolean) : [];
    return { code: ran.code, objects, stderr: ran.stderr };
  };

  it('has the version of netprobe itself (package.json) as its version and appVersion', () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const chart = readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8');
    expect(chart).to.match(new RegExp(`^version: ${version.replaceAll('.', '\\.')}$`, 'm'));
    expect(chart).to.match(new RegExp(`^appVersion: "${version.replaceAll('.', '\\.')}"$`, 'm'));
  });

  for (const mode of MODES) {
    it(`helm lint is clean in mode ${mode} (no warning, no error)`, async () => {
      const lint = await exec(helm, ['lint', '--strict', CHART, '--set', `mode=${mode}`, ...demoValues], { cwd: REPO });
      expect(lint.code, lint.stdout + lint.stderr).to.equal(0);
      expect(lint.stdout).to.not.match(/\[(WARNING|ERROR)\]/);
    });
  }

  const BAD: [string, string[], RegExp][] = [
    ['an unknown mode', ['--set', 'mode=daemonset'], /at '\/mode': value must be one of/],
    ['a suite key that is not a .yaml file name', ['--set', 'suites.notes=x'], /'notes' does not match pattern/],
    ['a cluster-wide rule that writes', ['--set', 'rbac.clusterRules[0].apiGroups[0]=', '--set', 'rbac.clusterRules[0].resources[0]=pods', '--set', 'rbac.clusterRules[0].verbs[0]=create'], /clusterRules\/0/],
    ['a Role in a namespace that cannot exist', ['--set', 'rbac.roles.Bad_NS[0].apiGroups[0]=', '--set', 'rbac.roles.Bad_NS[0].resources[0]=pods', '--set', 'rbac.roles.Bad_NS[0].verbs[0]=list'], /'Bad_NS' does not match pattern/],
    ['a misspelt value', ['--set', 'imagee.tag=1'], /imagee/],
    ['a watch interval without a unit', ['--set', 'watch.every=60'], /watch\/every/],
  ];
  for (const [what, args, message] of BAD) {
    it(`refuses ${what} (helm lint and helm template)`, async () => {
      const lint = await exec(helm, ['lint', CHART, ...demoValues, ...args], { cwd: REPO });
      expect(lint.code, lint.stdout).to.not.equal(0);
      const rendered = await template(...demoValues, ...args);
      expect(rendered.code).to.not.equal(0);
      expect(rendered.stderr).to.match(message);
    });
  }

  it('refuses a release with no suite, saying where suites go', async () => {
    const rendered = await template();
    expect(rendered.code).to.not.equal(0);
    expect(rendered.stderr).to.include('no suites: give them inline in the values');
  });

  it("binds exactly the Roles `netprobe rbac suites/demo` prints, by namespace, to the release's ServiceAccount", async () => {
    const { objects } = await template(...demoValues);
    const printed = await exec(process.execPath, ['bin/netprobe.js', 'rbac', 'suites/demo'], { cwd: REPO });
    const expected = parseAllDocuments(printed.stdout).map((d) => d.toJS() as K8sObject).filter((o) => o?.kind === 'Role');
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => [r.metadata.namespace, r.rules])).to.deep.equal(expected.map((r) => [r.metadata.namespace, r.rules]));
    const bindings = objects.filter((o) => o.kind === 'RoleBinding');
    expect(bindings.map((b) => b.metadata.namespace)).to.deep.equal(roles.map((r) => r.metadata.namespace));
    for (const b of bindings) expect(b.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: 'np-netprobe', namespace: 'np-home' }]);
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).to.deep.equal([]);
  });

  it("works as a dependency of the user's own chart (Helm passes a subchart `global`), its hook running with that chart's release", async () => {
    const parent = tempDir('chart-parent');
    writeFileSync(path.join(parent, 'Chart.yaml'), `apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - {name: netprobe, version: ${JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}, repository: "file://${CHART}"}\n`);
    const dep = await exec(helm, ['dependency', 'update', parent], { cwd: REPO });
    expect(dep.code, dep.stderr).to.equal(0);
    const ran = await exec(helm, ['template', 'shop', parent, '-n', 'shop', '--set-file', 'netprobe.suites.zero-trust\\.yaml=suites/demo/zero-trust.yaml'], { cwd: REPO });
    expect(ran.code, ran.stderr).to.equal(0);
    const hook = parseAllDocuments(ran.stdout).map((d) => d.toJS() as K8sObject).find((o) => o?.kind === 'Job' && o.metadata.annotations?.['helm.sh/hook'] === 'post-install,post-upgrade');
    expect(hook?.metadata.name).to.equal('shop-netprobe-check');
  });

  it('two releases of one name in two namespaces share no object anywhere: their Roles in the suites\' namespaces differ too', async () => {
    const keys = async (namespace: string, mode: string): Promise<string[]> => {
      const ran = await exec(helm, ['template', 'np', CHART, '-n', namespace, '--set', `mode=${mode}`, '--set', 'rbac.clusterRules[0].apiGroups[0]=', '--set', 'rbac.clusterRules[0].resources[0]=namespaces', '--set', 'rbac.clusterRules[0].verbs[0]=list', ...demoValues], { cwd: REPO });
      expect(ran.code, ran.stderr).to.equal(0);
      const objects = parseAllDocuments(ran.stdout).map((d) => d.toJS() as K8sObject).filter(Boolean);
      return objects.map((o) => `${o.kind} ${o.metadata.namespace ?? namespace}/${o.metadata.name}`);
    };
    for (const mode of MODES) {
      const [a, b] = [await keys('team-a', mode), await keys('team-b', mode)];
      expect(a.filter((k) => b.includes(k)), mode).to.deep.equal([]);
    }
  });

  for (const mode of MODES) {
    it(`runs netprobe hardened in mode ${mode}: non-root, read-only root, no capabilities, RuntimeDefault seccomp`, async () => {
      const { objects } = await template('--set', `mode=${mode}`, ...demoValues);
      const pods = objects.map((o) => [o, podSpec(o)] as const).filter(([, p]) => p !== undefined);
      expect(pods.length).to.be.at.least(1);
      for (const [o, pod] of pods) {
        expect(pod!.securityContext.runAsNonRoot, o.metadata.name).to.equal(true);
        expect(pod!.securityContext.seccompProfile).to.deep.equal({ type: 'RuntimeDefault' });
        for (const c of pod!.containers) {
          expect(c.securityContext).to.deep.include({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
          expect(c.securityContext.capabilities?.drop).to.deep.equal(['ALL']);
        }
        // a token only where netprobe talks to the API
        expect(pod!.automountServiceAccountToken, o.metadata.name).to.equal(pod!.containers[0]!.args?.[0] !== '--version');
      }
      const sa = objects.find((o) => o.kind === 'ServiceAccount') as unknown as { automountServiceAccountToken?: boolean };
      expect(sa.automountServiceAccountToken).to.equal(false);
    });
  }

  it('hook mode: a post-install/post-upgrade Job that fails the release, and a pre-delete Job of the same name that removes a failed one', async () => {
    const { objects } = await template(...demoValues);
    const jobs = objects.filter((o) => o.kind === 'Job');
    expect(jobs.map((j) => j.metadata.name)).to.deep.equal(['np-netprobe-check', 'np-netprobe-check']);
    const [check, cleanup] = jobs;
    expect(check!.metadata.annotations).to.deep.equal({
      'helm.sh/hook': 'post-install,post-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
      'helm.sh/hook-output-log-policy': 'hook-failed',
    });
    expect(check!.spec!.backoffLimit).to.equal(0);
    expect(podSpec(check!)!.containers[0]!.args).to.deep.equal(['run', '/suites']);
    expect(cleanup!.metadata.annotations).to.deep.equal({ 'helm.sh/hook': 'pre-delete', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' });
    const job = await template('--set', 'mode=job', ...demoValues);
    expect(job.objects.filter((o) => o.kind === 'Job').map((j) => j.metadata.annotations)).to.deep.equal([undefined]);
  });

  it("takes suites from the chart's suites/ folder too, beside the inline ones", async () => {
    const copy = path.join(tempDir('chart'), 'netprobe');
    cpSync(CHART, copy, { recursive: true });
    writeFileSync(path.join(copy, 'suites/from-file.yaml'), readFileSync(path.join(REPO, 'suites/demo/zero-trust.yaml')));
    const ran = await exec(helm, ['template', 'np', copy, '--set-file', 'suites.inline\\.yaml=suites/demo/planted-bugs.yaml'], { cwd: REPO });
    expect(ran.code, ran.stderr).to.equal(0);
    const cm = parseAllDocuments(ran.stdout).map((d) => d.toJS() as { kind: string; data?: Record<string, string> }).find((o) => o?.kind === 'ConfigMap')!;
    expect(Object.keys(cm.data!).sort()).to.deep.equal(['from-file.yaml', 'inline.yaml']);
    expect(cm.data!['from-file.yaml']).to.equal(readFileSync(path.join(REPO, 'suites/demo/zero-trust.yaml'), 'utf8'));
  });

  it('continuous mode: a changed suite changes the pod template (the suites are read once, at start)', async () => {
    const checksum = async (...args: string[]) => {
      const { objects } = await template('--set', 'mode=continuous', ...demoValues, ...args);
      return (objects.find((o) => o.kind === 'Deployment')!.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations['checksum/suites'];
    };
    const before = await checksum();
    expect(before).to.match(/^[0-9a-f]{64}$/);
    expect(await checksum()).to.equal(before);
    expect(await checksum('--set-file', 'suites.planted-bugs\\.yaml=suites/demo/zero-trust.yaml')).to.not.equal(before);
  });

  it('passes imageRegistry and args on to netprobe', async () => {
    const { objects } = await template('--set', 'mode=job', '--set', 'imageRegistry=mirror.example/np', '--set', 'args={--only,smoke}', ...demoValues);
    const job = objects.find((o) => o.kind === 'Job')!;
    expect(podSpec(job)!.containers[0]!.args).to.deep.equal(['run', '/suites', '--image-registry', 'mirror.example/np', '--only', 'smoke']);
  });

  it('continuous mode: netprobe watch --quiet (its log is JSON lines and notes, no progress lines every round)', async () => {
    const { objects } = await template('--set', 'mode=continuous', ...demoValues);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect(podSpec(deployment)!.containers[0]!.args).to.deep.equal(['watch', '/suites', '--every', '60s', '--metrics', ':9090', '--quiet']);
  });

  it('deploy/job.yaml is what scripts/gen-deploy-job makes of the chart now', async () => {
    const out = path.join(tempDir('chart'), 'job.yaml');
    const gen = await exec(path.join(REPO, 'scripts/gen-deploy-job'), [out], { cwd: REPO });
    expect(gen.code, gen.stderr).to.equal(0);
    expect(readFileSync(path.join(REPO, 'deploy/job.yaml'), 'utf8'), 'run scripts/gen-deploy-job').to.equal(readFileSync(out, 'utf8'));
  });
});
