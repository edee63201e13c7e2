// docs/rollout.md, run: every command of its `sh` blocks, in order, on a copy of the demo shop without
// policies in this test's own namespaces, each checked against the exit code written after it
// (`# exit N`). The tutorial cannot drift from what netprobe does.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterEnv, kubectlPath, netprobe, REPO, type CliRun } from './support.ts';
import { DemoCopy } from './demo-copy.ts';
import { spawn } from 'node:child_process';

interface Step {
  line: string;
  exit: number;
}

/** The commands of the tutorial's `sh` blocks, with the exit code each must end with. */
function tutorialSteps(): Step[] {
  const doc = readFileSync(path.join(REPO, 'docs/rollout.md'), 'utf8');
  const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((b) =>
    b.split('\n').filter((l) => l.trim() !== '').map((l) => {
      const m = /^(.*?)\s+# exit (\d+)\s*$/.exec(l);
      if (m === null) throw new Error(`docs/rollout.md: a command without "# exit N": ${l}`);
      return { line: m[1]!, exit: Number(m[2]) };
    }),
  );
}

function kubectlRun(args: string[]): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(kubectlPath(), args, { env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('e2e: the rollout tutorial (docs/rollout.md)', function () {
  this.timeout(3_000_000);
  let copy: DemoCopy;
  let dir: string;
  before(async function () {
    const env = clusterEnv(this);
    copy = new DemoCopy('rollout', env.echoImage);
    dir = mkdtempSync(path.join(tmpdir(), 'netprobe-rollout-'));
    for (const stage of ['1-db', '2-api', '3-frontend']) {
      writeFileSync(path.join(dir, `${stage}.yaml`), copy.rename(readFileSync(path.join(REPO, 'docs/rollout', `${stage}.yaml`), 'utf8')));
    }
    await copy.apply(['demo/app']);
  });
  after(async () => {
    await copy?.delete();
  });

  /** A command of the tutorial for this copy: its namespaces renamed, its files in the test's folder. */
  const words = (line: string): string[] =>
    copy
      .rename(line)
      .split(/\s+/)
      .map((w) => (w.startsWith('docs/rollout/') ? path.join(dir, path.basename(w)) : /^[\w.-]+\.yaml$/.test(w) ? path.join(dir, w) : w));

  async function execute(line: string): Promise<CliRun> {
    let args = words(line);
    const redirect = args.indexOf('>');
    const outFile = redirect >= 0 ? args[redirect + 1] : undefined;
    if (redirect >= 0) args = args.slice(0, redirect);
    const [tool, ...rest] = args;
    const r = tool === 'netprobe' ? await netprobe(rest) : tool === 'kubectl' ? await kubectlRun(rest) : undefined;
    if (r === undefined) throw new Error(`docs/rollout.md: only netprobe and kubectl commands are run: ${line}`);
    if (outFile !== undefined) writeFileSync(outFile, r.stdout);
    return r;
  }

  it('every command ends with the exit code the tutorial says', async () => {
    const steps = tutorialSteps();
    expect(steps.length).to.be.above(10);
    const failures: string[] = [];
    for (const step of steps) {
      let r = await execute(step.line);
      // Right after kubectl apply the network plugin may not enforce the rules yet (the tutorial says so).
      const proof = /^netprobe (run|isolation) /.test(step.line);
      for (let i = 0; proof && step.exit === 0 && r.code !== 0 && i < 5; i++) {
        await new Promise((res) => setTimeout(res, 3000));
        r = await execute(step.line);
      }
      if (r.code !== step.exit) failures.push(`${step.line}: exit ${r.code}, expected ${step.exit}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    }
    if (failures.length > 0) console.log(failures.join('\n=====\n'));
    expect(failures.map((f) => f.split('\n')[0])).to.deep.equal([]);
  });
});
