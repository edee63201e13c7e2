// The policy engine against the local cluster: predictions agree with what the probes observe on the demo
// shop, `netprobe doctor` sees enforcement, and sees none while kube-router is stopped (then restored).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Report } from '../../src/verdict/model.ts';
import { clusterEnv, kubectl, netprobe, readReport, REPO, waitUntil, type CliRun } from './support.ts';

const exec = promisify(execFile);
const CLUSTER = path.join(REPO, 'scripts/cluster/cluster');

async function doctorNamespaces(): Promise<string[]> {
  const out = await kubectl(['get', 'namespaces', '-l', 'app.kubernetes.io/managed-by=netprobe,netprobe.dev/run', '-o', 'name']);
  return out.split('\n').filter((l) => l.startsWith('namespace/netprobe-doctor-'));
}

function enforcement(run: CliRun): string {
  return /^enforces NetworkPolicy: .*$/m.exec(run.stdout)?.[0] ?? `(no enforcement line)\n${run.stdout}\n${run.stderr}`;
}

describe('e2e: predictions and doctor on the local cluster', function () {
  before(async function () {
    clusterEnv(this);
    await exec(path.join(REPO, 'scripts/demo-app'), ['apply'], { env: process.env });
  });

  describe('the demo shop: predicted == observed', () => {
    let run: CliRun;
    let report: Report;

    before(async () => {
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'netprobe-policy-')), 'report.json');
      run = await netprobe(['run', 'suites/demo', '--policies', 'demo/policies', '--policies', 'demo/app', '-o', `json=${out}`, '--quiet']);
      report = readReport(out);
    });

    it('predicts every result the probes could decide, and agrees with each', () => {
      expect(run.code, run.stderr).to.equal(1);
      const decided = report.results.filter((r) => r.status !== 'inconclusive');
      expect(decided.length).to.equal(report.summary.total - report.summary.inconclusive);
      for (const r of decided) {
        expect(r.predicted, `${r.name}: ${r.detail}`).to.equal(r.observed);
        expect(r.policies, r.name).to.be.an('array');
      }
      // Disagreements: none (the note of which controller labels the probe pods left out does not count).
      expect(report.findings?.filter((f) => f.pattern !== 'dropped-labels') ?? [], JSON.stringify(report.findings)).to.deep.equal([]);
    });

    it('predicts the planted leak and broken path too, and says which policies decide them', () => {
      const leak = report.results.find((r) => r.status === 'leak')!;
      expect(leak.predicted).to.equal('allowed');
      expect(leak.policies).to.include('demo-db/cache-ingress');
      expect(leak.detail).to.contain('policies predict allowed');
      const broken = report.results.find((r) => r.status === 'broken')!;
      expect(broken.predicted).to.equal('denied');
      expect(broken.policies).to.include('demo-api/api-egress');
    });

    it('predicts the same from the live cluster (predict --from-cluster)', async () => {
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'netprobe-policy-')), 'predict.json');
      const p = await netprobe(['predict', '--from-cluster', 'suites/demo', '-o', `json=${out}`]);
      expect(p.code, p.stderr).to.equal(1);
      const live = readReport(out);
      for (const r of report.results) {
        const l = live.results.find((x) => x.name === r.name)!;
        expect(l.predicted, r.name).to.equal(r.predicted);
      }
    });
  });

  describe('netprobe doctor', () => {
    it('reports enforcement on ingress and egress, and cleans up', async () => {
      const d = await netprobe(['doctor']);
      expect(d.code, `${d.stdout}\n${d.stderr}`).to.equal(0);
      expect(enforcement(d)).to.match(/^enforces NetworkPolicy: ingress yes \(\d+\.\d s\), egress yes \(\d+\.\d s\)$/);
      console.log(`      ${enforcement(d)}`);
      expect(d.stdout).to.match(/cleanup: namespace netprobe-doctor-\w+ deleted/);
    });

    describe('with kube-router stopped', () => {
      let stopped: CliRun;
      let open: Report;
      let openRun: CliRun;
      let openMarkdown = '';
      let restoredAfterMs = 0;

      before(async function () {
        this.timeout(300_000);
        await exec(CLUSTER, ['stop-component', 'kube-router'], { env: process.env });
        try {
          stopped = await netprobe(['doctor', '--enforce-timeout', '10']);
          const out = path.join(mkdtempSync(path.join(tmpdir(), 'netprobe-policy-')), 'open.json');
          openRun = await netprobe(['run', 'suites/demo/zero-trust.yaml', '--policies', 'demo/policies', '--policies', 'demo/app', '-o', `json=${out}`, '-o', `markdown=${out}.md`, '--quiet']);
          openMarkdown = readFileSync(`${out}.md`, 'utf8');
          try {
            open = readReport(out);
          } catch (err) {
            throw new Error(`netprobe run wrote no report (exit ${openRun.code}): ${(err as Error).message}\n${openRun.stdout}\n${openRun.stderr}`);
          }
        } finally {
          await exec(CLUSTER, ['start-component', 'kube-router'], { env: process.env });
        }
      });

      after(async function () {
        this.timeout(300_000);
        // Whatever happened above: kube-router runs again and enforces before the next test.
        await exec(CLUSTER, ['start-component', 'kube-router'], { env: process.env });
        const t0 = Date.now();
        let d = await netprobe(['doctor', '--enforce-timeout', '20']);
        while (d.code !== 0 && Date.now() - t0 < 120_000) d = await netprobe(['doctor', '--enforce-timeout', '20']);
        restoredAfterMs = Date.now() - t0;
        expect(d.code, `enforcement did not come back: ${d.stdout}`).to.equal(0);
        console.log(`      enforcement back (${(restoredAfterMs / 1000).toFixed(1)} s to confirm): ${enforcement(d)}`);
      });

      it('reports no enforcement on either direction, and exits 1', () => {
        expect(stopped.code, `${stopped.stdout}\n${stopped.stderr}`).to.equal(1);
        expect(enforcement(stopped)).to.equal('enforces NetworkPolicy: ingress no (still open after 10 s), egress no (still open after 10 s)');
      });

      it('makes a run name the pattern: every predicted deny observed allowed', () => {
        expect(openRun.code, openRun.stderr).to.equal(1);
        const denies = open.results.filter((r) => r.predicted === 'denied');
        expect(denies.length).to.be.greaterThan(2);
        for (const r of denies) expect(r.observed, r.name).to.equal('allowed');
        expect(open.findings?.map((f) => f.pattern).filter((p) => p !== 'dropped-labels')).to.deep.equal(['not-enforcing']);
        expect(open.findings![0]!.results).to.have.members(denies.map((r) => r.name));
        expect(openRun.stderr).to.match(/finding \(not-enforcing\): every connection the policies deny was allowed/);
        // A CI job summary shows it too, above the rows it explains.
        expect(openMarkdown).to.match(/^> \*\*Finding \(not-enforcing\)\*\*: every connection the policies deny was allowed/m);
      });

      it('still deletes its namespace', async () => {
        const name = /cleanup: namespace (netprobe-doctor-\w+) deleted/.exec(stopped.stdout)?.[1];
        expect(name, stopped.stdout).to.be.a('string');
        // Namespace deletion finishes in the background (Terminating): wait until it is gone.
        await waitUntil(`namespace ${name} to go`, async () => !(await doctorNamespaces()).includes(`namespace/${name}`), 120_000);
      });
    });
  });
});
