// The GitHub Action's metadata and its release pinning (scripts/pin-action.ts); the action itself runs in
// test/package/action.test.ts.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { actionVersion, archiveSums, pinnedSums, withVersion } from '../../scripts/pin-action.ts';

const root = new URL('../../', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; env?: Record<string, string>; run: string; shell: string }[] };
}

describe('the GitHub Action (action.yml)', () => {
  const text = read('action.yml');
  const action = parse(text) as ActionYml;

  it("installs by default the version in package.json, the action's own release", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(action.inputs.version?.default).to.equal(version);
    expect(actionVersion(text)).to.equal(version);
  });

  it('hands every input to its scripts, and every declared output comes from the run step', () => {
    const env = action.runs.steps.flatMap((s) => Object.values(s.env ?? {}));
    for (const name of Object.keys(action.inputs)) expect(env, name).to.include(`\${{ inputs.${name} }}`);
    for (const [name, o] of Object.entries(action.outputs)) expect(o.value, name).to.equal(`\${{ steps.run.outputs.${name} }}`);
    expect(action.runs.using).to.equal('composite');
    for (const s of action.runs.steps) expect(s.shell).to.equal('bash');
  });

  it('action/SHA256SUMS holds only comments and `SHA256  vVERSION/netprobe-linux-ARCH.tar.gz` lines', () => {
    for (const line of read('action/SHA256SUMS').split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      expect(line).to.match(/^[0-9a-f]{64} {2}v\d+\.\d+\.\d+\S*\/netprobe-linux-(amd64|arm64)\.tar\.gz$/);
    }
  });
});

describe('pinning a release into the action (scripts/pin-action.ts)', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const dist = `${a}  netprobe-linux-amd64\n${b}  netprobe-linux-amd64.tar.gz\n${a}  netprobe-linux-arm64.tar.gz\n`;

  it("takes the archives from a build's SHA256SUMS", () => {
    expect(archiveSums(dist)).to.deep.equal([[b, 'netprobe-linux-amd64.tar.gz'], [a, 'netprobe-linux-arm64.tar.gz']]);
  });

  it("replaces the version's lines and keeps comments and older versions", () => {
    const before = `# comment\n${a}  v0.1.0/netprobe-linux-amd64.tar.gz\n${a}  v0.2.0/netprobe-linux-amd64.tar.gz\n`;
    expect(pinnedSums(before, '0.2.0', archiveSums(dist))).to.equal(`# comment\n${a}  v0.1.0/netprobe-linux-amd64.tar.gz\n${b}  v0.2.0/netprobe-linux-amd64.tar.gz\n${a}  v0.2.0/netprobe-linux-arm64.tar.gz\n`);
  });

  it("sets the version input's default and nothing else", () => {
    const text = read('action.yml');
    const changed = withVersion(text, '9.8.7');
    expect(actionVersion(changed)).to.equal('9.8.7');
    expect(changed.split('\n').filter((l, i) => l !== text.split('\n')[i])).to.deep.equal(["    default: '9.8.7'"]);
    expect(() => withVersion('inputs:\n  suites: {}\n', '1.0.0')).to.throw(/no `default/);
  });
});

describe('workflows a user copies (examples/github) and the repository\'s own', () => {
  const files = [...['kind-calico.yml', 'kind-cilium.yml'].map((f) => `examples/github/${f}`), '.github/workflows/netprobe-kind.yml'];
  const versions: Record<string, string> = {};
  for (const m of read('scripts/cluster/kind/versions.env').matchAll(/^(\w+)=(.*)$/gm)) versions[m[1] ?? ''] = m[2] ?? '';

  for (const file of files) {
    it(`${file}: each download is checked by sha256 before use, none is "latest"`, () => {
      const lines = read(file).split('\n');
      const downloads = lines.map((l, i) => [l, i] as const).filter(([l]) => /\bcurl\b/.test(l));
      expect(downloads.length, 'no download found: the check would prove nothing').to.be.greaterThan(0);
      for (const [line, i] of downloads) {
        expect(line, `${file}:${i + 1}`).to.not.match(/latest/);
        const saved = /\s-\w*o\s+"?([^"\s]+)"?/.exec(line)?.[1];
        expect(saved, `${file}:${i + 1}: a download saved to a file`).to.be.a('string');
        expect(lines[i + 1], `${file}:${i + 2}: the sha256 check of ${saved}`).to.match(/sha256sum -c -$/).and.to.include(saved);
      }
    });
  }

  it('examples pin every action by commit', () => {
    for (const file of files.slice(0, 2)) {
      for (const uses of read(file).matchAll(/uses: (\S+)/g)) {
        const ref = uses[1] ?? '';
        if (ref.startsWith('netprobe-dev/netprobe@')) expect(ref).to.match(/@v\d+\.\d+\.\d+$/);
        else expect(ref, `${file}: ${ref}`).to.match(/@[0-9a-f]{40}$/);
      }
    }
  });

  it('the examples use the kind and cilium CLI of scripts/cluster/kind/versions.env, with the same sums', () => {
    for (const file of files.slice(0, 2)) {
      const text = read(file);
      expect(text).to.include(`KIND_VERSION: ${versions.KIND_VERSION}\n`);
      expect(text).to.include(`KIND_SHA256: ${versions.KIND_SHA256_LINUX_AMD64}\n`);
      expect(text).to.include(`KIND_NODE_IMAGE: ${versions.KIND_NODE_IMAGE}\n`);
    }
    const cilium = read('examples/github/kind-cilium.yml');
    expect(cilium).to.include(`CILIUM_CLI_VERSION: ${versions.CILIUM_CLI_VERSION}\n`);
    expect(cilium).to.include(`CILIUM_CLI_SHA256: ${versions.CILIUM_CLI_SHA256_LINUX_AMD64}\n`);
  });
});
