// Runs a GitHub workflow's job here, step by step in order, as far as this machine allows (issue 18: the
// kind workflow had never run). `run:` steps run as the runner runs `shell: bash` (bash -eo pipefail),
// with GITHUB_ENV and GITHUB_OUTPUT carried to the next steps; `uses: ./` runs netprobe's own action
// through the runner stand-in the action's tests use (test/package/action-runner.ts); other `uses:`
// steps (checkout, setup-*, cache, upload) and downloads (a step whose script runs curl) are listed as
// skipped: the workspace is a clone, Node and Go are already here, and kind is built from the pinned Go
// module (scripts/tool kind) instead of downloaded. `if: failure()` / `always()` are honoured.
//   node scripts/rehearse-workflow.ts WORKFLOW WORKSPACE [--input NAME=VALUE]... [--skip STEP_NAME]...
//     [--env NAME=VALUE]...   (--env wins over the workflow's own env: what differs on this machine,
//                              e.g. CHROMIUM, which names Google Chrome on GitHub's runners)
// Prints one line per step (ran, skipped or failed, with its time) and exits 1 when a step failed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { runAction } from '../test/package/action-runner.ts';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
}
interface Workflow {
  jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
}
interface Context {
  inputs: Record<string, string>;
  env: Record<string, string>;
  overrides: Record<string, string>;
  outputs: Record<string, Record<string, string>>;
}

/** The expressions the workflow uses: `inputs.X || 'lit'`, `inputs.X`, `steps.ID.outputs.X`, `env.X`. */
function evaluate(expr: string, ctx: Context): string {
  const alternatives = expr.split('||').map((s) => s.trim());
  for (const alt of alternatives) {
    const lit = /^'(.*)'$/.exec(alt);
    const value = lit ? lit[1] ?? '' : lookup(alt, ctx);
    if (value !== '') return value;
  }
  return '';
}

function lookup(name: string, ctx: Context): string {
  const m = /^(inputs|env)\.([\w-]+)$/.exec(name);
  if (m) return (m[1] === 'inputs' ? ctx.inputs : ctx.env)[m[2] ?? ''] ?? '';
  const out = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(name);
  if (out) return ctx.outputs[out[1] ?? '']?.[out[2] ?? ''] ?? '';
  throw new Error(`rehearse-workflow: unsupported expression ${name}`);
}

const expand = (text: string, ctx: Context) => text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, e: string) => evaluate(e, ctx));

/** `NAME=value` lines of GITHUB_ENV / GITHUB_OUTPUT (the simple form the workflow writes). */
function pairs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function runScript(step: Step, ctx: Context, workspace: string, temp: string): { code: number; outputs: Record<string, string> } {
  const files = { script: path.join(temp, 'step.sh'), env: path.join(temp, 'env'), output: path.join(temp, 'output') };
  writeFileSync(files.script, step.run ?? '');
  writeFileSync(files.env, '');
  writeFileSync(files.output, '');
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), ctx)]));
  const env = { ...process.env, ...ctx.env, ...stepEnv, ...ctx.overrides, GITHUB_ENV: files.env, GITHUB_OUTPUT: files.output, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp };
  const ran = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', files.script], { cwd: workspace, env, stdio: 'inherit' });
  Object.assign(ctx.env, pairs(files.env));
  return { code: ran.status ?? 1, outputs: pairs(files.output) };
}

async function runStep(step: Step, ctx: Context, workspace: string, temp: string): Promise<{ code: number; outputs: Record<string, string> }> {
  if (step.uses === './') {
    const given = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v), ctx)]));
    const job = { actionPath: workspace, workspace, temp, env: { ...process.env, ...ctx.env, ...ctx.overrides } };
    const ran = await runAction(job, given);
    for (const s of ran.steps) console.log(`    action step "${s.name}": exit ${s.code}\n${s.stdout}${s.stderr}`);
    return { code: ran.code, outputs: ran.outputs };
  }
  return runScript(step, ctx, workspace, temp);
}

function skipReason(step: Step, skip: Set<string>): string | undefined {
  if (skip.has(step.name ?? '')) return 'skipped on request';
  if (step.uses !== undefined && step.uses !== './') return `skipped (uses: ${step.uses})`;
  if (step.run !== undefined && /\bcurl\b/.test(step.run)) return 'skipped (a download)';
  return undefined;
}

function options(argv: string[]): { workflow: string; workspace: string; inputs: Record<string, string>; env: Record<string, string>; skip: Set<string> } {
  const [workflow, workspace, ...rest] = argv;
  if (!workflow || !workspace) throw new Error('usage: rehearse-workflow.ts WORKFLOW WORKSPACE [--input N=V] [--env N=V] [--skip STEP]');
  const inputs: Record<string, string> = {};
  const env: Record<string, string> = {};
  const skip = new Set<string>();
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value = ''] = [rest[i], rest[i + 1]];
    const eq = value.indexOf('=');
    if (flag === '--skip') skip.add(value);
    else if (flag === '--input' && eq > 0) inputs[value.slice(0, eq)] = value.slice(eq + 1);
    else if (flag === '--env' && eq > 0) env[value.slice(0, eq)] = value.slice(eq + 1);
    else throw new Error(`rehearse-workflow: unknown argument ${flag} ${value}`);
  }
  return { workflow, workspace: path.resolve(workspace), inputs, env, skip };
}

async function main(): Promise<number> {
  const opt = options(process.argv.slice(2));
  const wf = parse(readFileSync(opt.workflow, 'utf8')) as Workflow;
  const [jobName, job] = Object.entries(wf.jobs)[0] ?? [];
  if (!job) throw new Error(`${opt.workflow}: no job`);
  const ctx: Context = { inputs: opt.inputs, env: {}, overrides: opt.env, outputs: {} };
  for (const [k, v] of Object.entries(job.env ?? {})) ctx.env[k] = expand(String(v), ctx);
  console.log(`rehearse-workflow: ${opt.workflow}, job ${jobName}, in ${opt.workspace} (${execFileSync('git', ['-C', opt.workspace, 'rev-parse', '--short', 'HEAD']).toString().trim()})`);
  let failed = false;
  for (const step of job.steps) {
    const name = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? '?';
    const when = (step.if ?? 'success()').trim();
    const due = when === 'always()' || (when === 'failure()' ? failed : !failed);
    const reason = due ? skipReason(step, opt.skip) : `skipped (if: ${when})`;
    if (reason !== undefined) { console.log(`--- ${name}: ${reason}`); continue; }
    console.log(`--- ${name}`);
    const started = Date.now();
    const ran = await runStep(step, ctx, opt.workspace, mkdtempSync(path.join(tmpdir(), 'rehearse-')));
    if (step.id !== undefined) ctx.outputs[step.id] = ran.outputs;
    console.log(`--- ${name}: ${ran.code === 0 ? 'ok' : `FAILED (exit ${ran.code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    failed ||= ran.code !== 0;
  }
  console.log(`rehearse-workflow: ${failed ? 'a step failed' : 'every step that can run here passed'}`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
