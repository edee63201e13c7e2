// A stand-in for the GitHub runner, enough for netprobe's composite action (action.yml): it evaluates
// the `${{ inputs.NAME }}` expressions of each step's `env` and `if`, runs each step's `run` script as the
// runner runs `shell: bash` (bash --noprofile --norc -eo pipefail FILE) with GITHUB_ACTION_PATH,
// RUNNER_TEMP, RUNNER_ARCH, RUNNER_OS and a fresh GITHUB_OUTPUT and GITHUB_PATH file per step (the
// summary file is shared by the job), puts what a step added to GITHUB_PATH on the PATH of the next
// steps, and maps the action's outputs from `${{ steps.ID.outputs.NAME }}`. Stops at a failing step.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { exec, REPO, type Ran } from './support.ts';

interface Step {
  id?: string;
  name: string;
  if?: string;
  shell: string;
  env?: Record<string, string>;
  run: string;
}
interface ActionYml {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

export interface Job {
  /** The folder holding action.yml: GITHUB_ACTION_PATH. */
  actionPath: string;
  /** The step's working folder (GITHUB_WORKSPACE). */
  workspace: string;
  /** RUNNER_TEMP; the runner's files (outputs, path, summary) go in it too. */
  temp: string;
  env: NodeJS.ProcessEnv;
}

export interface ActionRun {
  /** Each step that ran: name, exit code, stdout, stderr, the outputs it set and its wall time. */
  steps: (Ran & { name: string; outputs: Record<string, string>; ms: number })[];
  /** The action's outputs, as a workflow reads them (`steps.<uses step>.outputs`). */
  outputs: Record<string, string>;
  /** 0 when every step passed, else the failing step's exit code. */
  code: number;
  summary: string;
  /** Every step's stdout, in order: where the runner reads workflow commands. */
  log: string;
}

/** `name=value` lines (GITHUB_OUTPUT's simple form; netprobe's values are one line). */
function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The few expressions action.yml uses: `${{ inputs.NAME }}` and `${{ steps.ID.outputs.NAME }}`. */
function expand(text: string, inputs: Record<string, string>, steps: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expr);
    if (input) return inputs[input[1] ?? ''] ?? '';
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
    if (output) return steps[output[1] ?? '']?.[output[2] ?? ''] ?? '';
    throw new Error(`action-runner: unsupported expression \${{ ${expr} }}`);
  });
}

/** An `if:` of the form `inputs.NAME == ''` or `inputs.NAME != ''` (the only ones action.yml uses). */
function condition(expr: string | undefined, inputs: Record<string, string>): boolean {
  if (expr === undefined) return true;
  const m = /^inputs\.([\w-]+) (==|!=) ''$/.exec(expr.trim());
  if (m === null) throw new Error(`action-runner: unsupported if: ${expr}`);
  return ((inputs[m[1] ?? ''] ?? '') === '') === (m[2] === '==');
}

export async function runAction(job: Job, given: Record<string, string>): Promise<ActionRun> {
  const action = parse(readFileSync(path.join(job.actionPath, 'action.yml'), 'utf8')) as ActionYml;
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, given[k] ?? v.default ?? '']));
  const summary = path.join(job.temp, 'step_summary');
  writeFileSync(summary, '');
  const result: ActionRun = { steps: [], outputs: {}, code: 0, summary: '', log: '' };
  const byId: Record<string, Record<string, string>> = {};
  let extraPath: string[] = [];
  for (const [i, step] of action.runs.steps.entries()) {
    if (step.shell !== 'bash') throw new Error(`action-runner: step ${step.name}: shell ${step.shell}`);
    if (!condition(step.if, inputs)) continue;
    const files = { script: path.join(job.temp, `step${i}.sh`), output: path.join(job.temp, `output${i}`), path: path.join(job.temp, `path${i}`) };
    writeFileSync(files.script, step.run);
    writeFileSync(files.output, '');
    writeFileSync(files.path, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, inputs, byId)]));
    const env = { ...job.env, ...stepEnv, PATH: [...extraPath, job.env.PATH ?? ''].join(':'), GITHUB_ACTIONS: 'true', GITHUB_ACTION_PATH: job.actionPath, GITHUB_WORKSPACE: job.workspace, RUNNER_TEMP: job.temp, RUNNER_OS: 'Linux', RUNNER_ARCH: job.env.RUNNER_ARCH ?? 'X64', GITHUB_OUTPUT: files.output, GITHUB_PATH: files.path, GITHUB_STEP_SUMMARY: summary };
    const started = performance.now();
    const ran = await exec('bash', ['--noprofile', '--norc', '-eo', 'pipefail', files.script], { env, cwd: job.workspace, timeoutMs: 300_000 });
    const ms = performance.now() - started;
    const outputs = readOutputs(files.output);
    result.steps.push({ ...ran, name: step.name, outputs, ms });
    result.log += ran.stdout;
    if (step.id !== undefined) byId[step.id] = outputs;
    extraPath = [...readFileSync(files.path, 'utf8').split('\n').filter((l) => l !== '').reverse(), ...extraPath];
    if (ran.code !== 0) {
      result.code = ran.code;
      break;
    }
  }
  result.outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, o]) => [k, expand(o.value, inputs, byId)]));
  result.summary = readFileSync(summary, 'utf8');
  return result;
}


export interface LocalRelease {
  /** The release folder's URL (the action's `release-url`). */
  url: string;
  /** A copy of the action (action.yml, action/) with the archive's sha256 pinned. */
  actionPath: string;
  /** The paths the server was asked for. */
  requests: string[];
  close(): void;
}

export const ARCHIVE = 'netprobe-linux-amd64.tar.gz';

/**
 * A release of dist/netprobe-linux-amd64 (built before) served on 127.0.0.1: its .tar.gz and
 * SHA256SUMS in `dir`, and a copy of the action in `dir` whose sums scripts/pin-action.ts wrote, as
 * scripts/release does on the commit it tags.
 */
export async function localRelease(dir: string, version: string): Promise<LocalRelease> {
  execFileSync('tar', ['-czf', path.join(dir, ARCHIVE), '-C', path.join(REPO, 'dist'), 'netprobe-linux-amd64']);
  const sha = createHash('sha256').update(readFileSync(path.join(dir, ARCHIVE))).digest('hex');
  writeFileSync(path.join(dir, 'SHA256SUMS'), `${sha}  ${ARCHIVE}\n`);
  const actionPath = path.join(dir, 'action-repo');
  cpSync(path.join(REPO, 'action.yml'), path.join(actionPath, 'action.yml'));
  cpSync(path.join(REPO, 'action'), path.join(actionPath, 'action'), { recursive: true });
  execFileSync(process.execPath, ['scripts/pin-action.ts', path.join(dir, 'SHA256SUMS'), actionPath], { cwd: REPO, stdio: 'pipe' });
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const file = path.join(dir, path.basename(req.url ?? ''));
    if (!existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v${version}`;
  return { url, actionPath, requests, close: () => server.close() };
}
