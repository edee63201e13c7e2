// netprobe matrix --policies: the truth table from manifests, no cluster. The demo's policies and app
// (demo/): each cell is what the policy engine says for that path, and the table, JSON and HTML agree.
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.ts';
import { offlineMatrix } from '../../../src/incident/matrix-offline.ts';
import { matrixCells, type MatrixJson } from '../../../src/incident/matrix.ts';
import { loadManifestFiles } from '../../../src/policy/load-files.ts';
import { policyEngine } from '../../../src/run/policy-inputs.ts';

const DEMO = fileURLToPath(new URL('../../../demo/', import.meta.url));
const NAMESPACES = ['demo-frontend', 'demo-api', 'demo-db'];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('matrix from manifests (no cluster)', () => {
  it('judges every path between the declared workloads with the policy engine', async () => {
    const { inputs } = policyEngine(await loadManifestFiles([`${DEMO}policies`, `${DEMO}app`]));
    const { plan, results } = offlineMatrix(inputs.manifests, inputs.engine, NAMESPACES);
    const { cells } = matrixCells(plan, results);
    const cell = (from: string, to: string): string | undefined => cells[plan.rows.findIndex((r) => r.name === from)]?.[plan.columns.findIndex((c) => c.name === to)];
    // Every path is judged: predicted, never probed.
    expect(results.every((r) => r.outcome === 'not-run' && r.predicted !== undefined)).to.equal(true);
    expect(cell('demo-frontend.web', 'demo-api.api')).to.equal('allowed'); // web-egress + api-ingress
    expect(cell('demo-frontend.web', 'demo-db.postgres')).to.equal('denied');
    expect(cell('demo-api.api', 'demo-db.postgres')).to.equal('allowed');
    expect(cell('demo-api.worker', 'demo-db.cache')).to.equal('allowed'); // the planted OR-peer leak
    expect(cell('demo-api.api', 'demo-db.cache')).to.equal('denied'); // the planted missing egress
    expect(cell('demo-api.api', 'demo-api.api')).to.equal('self');
  });

  it('netprobe matrix --policies --state: table, JSON and HTML from the same cells, exit 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netprobe-matrix-offline-'));
    const r = await cli(['matrix', '--namespaces', NAMESPACES.join(','), '--policies', `${DEMO}policies`, '--state', `${DEMO}app`, '-o', 'table', '-o', `json=${dir}/m.json`, '-o', `html=${dir}/m.html`]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('✓ allowed by the policies, · denied by the policies');
    const json = JSON.parse(readFileSync(`${dir}/m.json`, 'utf8')) as MatrixJson;
    expect(json.run.cluster).to.equal(undefined);
    const allowed = json.cells.flat().filter((c) => c === 'allowed').length;
    expect(allowed).to.be.greaterThan(0);
    expect(readFileSync(`${dir}/m.html`, 'utf8')).to.contain('"kind":"matrix"');
  });

  it('says when a namespace is not in the manifests (exit 2) and needs --policies for --state', async () => {
    const missing = await cli(['matrix', '--namespaces', 'nowhere', '--policies', `${DEMO}policies`]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('netprobe matrix: namespace nowhere is not in the manifests');
    const state = await cli(['matrix', '--namespaces', 'demo-api', '--state', `${DEMO}app`]);
    expect(state.code).to.equal(2);
    expect(state.stderr).to.contain('--state needs --policies');
  });
});
