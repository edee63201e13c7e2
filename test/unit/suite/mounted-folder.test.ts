// A ConfigMap (or Secret, or projected) volume is not a plain folder: the kubelet writes the keys into a
// hidden timestamped folder, points `..data` at it, and makes each key a symlink through `..data`. A run
// of `netprobe run /suites` in a pod must read each suite once, under the name the user gave its key.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectFiles } from '../../../src/suite/load.ts';
import { loadSuites } from '../../../src/suite/index.ts';

const SUITE = (name: string): string => `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: ${name}}
spec:
  endpoints:
    a: {namespace: ns-a, podSelector: {matchLabels: {app: a}}}
    b: {namespace: ns-b, podSelector: {matchLabels: {app: b}}}
  expectations:
    - {name: ${name} a to b, from: a, to: b, port: 80, expect: allow}
`;

/** The layout the kubelet's atomic writer leaves for a ConfigMap with these keys. */
function configMapVolume(root: string, keys: Record<string, string>): void {
  const stamp = '..2026_12_06_07_15_00.1234567890';
  mkdirSync(path.join(root, stamp), { recursive: true });
  for (const [key, text] of Object.entries(keys)) writeFileSync(path.join(root, stamp, key), text);
  symlinkSync(stamp, path.join(root, '..data'));
  for (const key of Object.keys(keys)) symlinkSync(path.join('..data', key), path.join(root, key));
}

describe('suites from a mounted ConfigMap folder', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'netprobe-cm-'));
    configMapVolume(root, { 'first.yaml': SUITE('first'), 'second.yml': SUITE('second'), 'notes.txt': 'not a suite' });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds each key once, by its own name, not through ..data or the timestamped folder', async () => {
    const { files, diagnostics } = await collectFiles([root]);
    expect(diagnostics).to.deep.equal([]);
    expect(files).to.deep.equal([path.join(root, 'first.yaml'), path.join(root, 'second.yml')]);
  });

  it('loads each suite once', async () => {
    const { suites, diagnostics } = await loadSuites([root]);
    expect(diagnostics).to.deep.equal([]);
    expect(suites.map((s) => s.name)).to.deep.equal(['first', 'second']);
  });

  it('still reads a folder whose own name starts with two dots when it is given', async () => {
    const { files } = await collectFiles([path.join(root, '..data')]);
    expect(files.map((f) => path.basename(f))).to.deep.equal(['first.yaml', 'second.yml']);
  });
});
