// The multi-arch probe archive on the real node: imported into the node's containerd as the bare backend
// imports (plain `ctr images import`) and as `kind load image-archive` does (`--all-platforms --digests`),
// each under a test-only name, so the images the cluster runs are never replaced; then a pod runs from
// each and shows that containerd picked the node's platform (linux/amd64) out of the index. On the kind
// backend the same ctr commands run in the node container (the archive on stdin).
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtImages, openArchive } from '../package/oci.ts';
import { exec, removeTempDirs, tempDir } from '../package/support.ts';
import { clusterBackend, clusterEnv, KIND_NODE, kubectl, REPO, waitUntil } from './support.ts';

const NS = 'images-e2e';

/** The bare backend's containerd socket (scripts/cluster/lib.sh). */
async function containerdSocket(): Promise<string> {
  const ran = await exec('bash', ['-c', '. scripts/cluster/lib.sh && echo "$CONTAINERD_SOCK"'], { cwd: REPO });
  return ran.stdout.trim();
}

type Ctr = (args: string[]) => ReturnType<typeof exec>;

/** ctr in the node's k8s.io namespace: the bare node's socket, or inside kind's node container. */
async function nodeCtr(): Promise<{ ctr: Ctr; importArchive: (tar: string, flags: string[]) => ReturnType<typeof exec> }> {
  if (clusterBackend() === 'kind') {
    const ctr: Ctr = (args) => exec('docker', ['exec', KIND_NODE, 'ctr', '-n', 'k8s.io', ...args]);
    // the archive is on this machine, not in the node: ctr reads it from stdin
    const importArchive = (tar: string, flags: string[]) =>
      exec('bash', ['-c', 'tar=$1; shift; docker exec -i "$@" - <"$tar"', 'import', tar, KIND_NODE, 'ctr', '-n', 'k8s.io', 'images', 'import', ...flags]);
    return { ctr, importArchive };
  }
  const sock = await containerdSocket();
  const ctr: Ctr = (args) => exec('ctr', ['--address', sock, '-n', 'k8s.io', ...args]);
  return { ctr, importArchive: (tar, flags) => ctr(['images', 'import', ...flags, tar]) };
}

/** A copy of the archive whose index.json names the image `ref`: the same blobs, another name. */
async function renamedArchive(tar: string, ref: string): Promise<string> {
  const layout = await openArchive(tar);
  const index = JSON.parse(readFileSync(path.join(layout.dir, 'index.json'), 'utf8')) as { manifests: { annotations: Record<string, string> }[] };
  index.manifests[0]!.annotations = { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref.replace(/.*:/, '') };
  writeFileSync(path.join(layout.dir, 'index.json'), JSON.stringify(index));
  const out = path.join(tempDir('renamed'), 'probe.tar');
  const tar2 = await exec('tar', ['-cf', out, '-C', layout.dir, '.']);
  expect(tar2.code, tar2.stderr).to.equal(0);
  return out;
}

function podYaml(name: string, ref: string): string {
  const container = (cname: string, command: string[]) =>
    `  - name: ${cname}\n    image: ${ref}\n    imagePullPolicy: Never\n    command: ${JSON.stringify(command)}\n` +
    '    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n';
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n  restartPolicy: Never\n` +
    '  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n' +
    container('agent', ['/usr/local/bin/netprobe-agent', 'version']) + container('curl', ['/usr/bin/curl', '--version']) +
    container('shell', ['/bin/sh', '-c', 'id -u; uname -m']);
}

describe('multi-arch probe archive on the local cluster (containerd import, a pod runs from it)', function () {
  this.timeout(600_000);
  const suffix = `e2e-${Date.now().toString(36)}`;
  const refs = { plain: `localhost/netprobe-test/probe:${suffix}`, kind: `localhost/netprobe-test/probe:${suffix}-kind` };
  let ctr: Ctr;
  let before_: Set<string> | undefined;
  let indexDigest = '';
  /** containerd's image records: name -> target digest. */
  const images = async () =>
    new Map((await ctr(['images', 'ls'])).stdout.split('\n').slice(1).filter(Boolean).map((row) => {
      const [name = '', , digest = ''] = row.split(/\s+/);
      return [name, digest] as const;
    }));

  before(async function () {
    clusterEnv(this);
    const node = await nodeCtr();
    ctr = node.ctr;
    const probeTar = path.join(await builtImages(), 'probe.tar');
    indexDigest = (await openArchive(probeTar)).top.digest;
    before_ = new Set((await images()).keys());
    const plain = await node.importArchive(await renamedArchive(probeTar, refs.plain), []);
    expect(plain.code, plain.stderr).to.equal(0);
    const kind = await node.importArchive(await renamedArchive(probeTar, refs.kind), ['--all-platforms', '--digests']);
    expect(kind.code, kind.stderr).to.equal(0);
    await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}, labels: {pod-security.kubernetes.io/enforce: restricted}}\n`);
  });

  after(async function () {
    await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=120s']).catch(() => undefined);
    // the test's image names, and the records containerd added for the same index (the CRI names an
    // image by its ID too, and `--digests` by digest); none of them existed before the test
    const known = before_;
    if (!known) return removeTempDirs();
    const ours = [...(await images())].filter(([name, digest]) => !known.has(name) && (name.startsWith('localhost/netprobe-test/') || digest === indexDigest));
    if (ours.length > 0) await ctr(['images', 'rm', ...ours.map(([name]) => name)]);
    removeTempDirs();
  });

  it('containerd holds each as one image over the index, with both platforms listed', async () => {
    const listed = await ctr(['images', 'ls']);
    for (const ref of Object.values(refs)) {
      const row = listed.stdout.split('\n').find((line) => line.startsWith(`${ref} `)) ?? '';
      expect(row, ref).to.include('application/vnd.oci.image.index.v1+json');
      expect(row, ref).to.match(/linux\/amd64,linux\/arm64/);
    }
  });

  for (const [how, key] of [['as the bare backend imports it', 'plain'], ['as kind load image-archive imports it', 'kind']] as const) {
    it(`a pod runs the agent, curl and busybox from the image imported ${how}, on linux/amd64`, async () => {
      const name = `multiarch-${key}`;
      await kubectl(['apply', '-f', '-'], podYaml(name, refs[key]));
      let phase = '';
      await waitUntil(`pod ${name} to finish`, async () => {
        phase = (await kubectl(['get', 'pod', name, '-n', NS, '-o', 'jsonpath={.status.phase}'])).trim();
        return phase === 'Succeeded' || phase === 'Failed';
      }, 120_000);
      const logs = async (c: string) => kubectl(['logs', name, '-n', NS, '-c', c]);
      expect(phase, `${await logs('agent')}${await logs('curl')}${await logs('shell')}`).to.equal('Succeeded');
      expect(await logs('agent')).to.match(/^netprobe-agent \S+ go\S+ linux\/amd64$/m);
      expect(await logs('curl')).to.match(/^curl \S+ \(x86_64-pc-linux-gnu\)/);
      expect(await logs('shell')).to.equal('65532\nx86_64\n');
    });
  }
});
