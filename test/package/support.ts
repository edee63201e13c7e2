// What the package tests share: running a program without throwing, a PATH without any Node on it,
// kubectl, and the local cluster when there is one.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kubectlPath, REPO } from '../e2e/support.ts';

export { REPO };

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs file with args; never throws: a non-zero exit is in `code`. */
export function exec(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { env: options.env ?? process.env, cwd: options.cwd ?? tmpdir(), timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const tempDirs: string[] = [];

/** A new folder outside the checkout; removeTempDirs deletes it (a copied executable is 130 MB). */
export function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `netprobe-${name}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The folders of PATH that hold no `node` (nor the checkout's node_modules/.bin). */
export function pathWithoutNode(): string[] {
  return (process.env.PATH ?? '').split(':').filter((dir) => dir !== '' && !existsSync(path.join(dir, 'node')) && !dir.includes('node_modules'));
}

/** kubectl's folder, or undefined before the cluster build has made it. */
export function kubectlDir(): string | undefined {
  const kubectl = kubectlPath();
  return existsSync(kubectl) ? path.dirname(kubectl) : undefined;
}

/**
 * The local cluster for a real run, with no image variable left in the environment: netprobe must find
 * its images by itself. Undefined when no cluster is up (then the test says so and skips).
 */
export function clusterEnvWithoutImages(): NodeJS.ProcessEnv | undefined {
  if (!process.env.KUBECONFIG || !process.env.EXTERNAL_IP) return undefined;
  const env = { ...process.env };
  for (const name of ['PROBE_IMAGE', 'ECHO_IMAGE', 'NETPROBE_IMAGE_REGISTRY']) delete env[name];
  return env;
}

/** Runs `run suites/demo` with `netprobe` (and leading args) and checks the planted verdicts. */
export async function demoRunVerdict(netprobe: string, lead: string[], env: NodeJS.ProcessEnv): Promise<{ run: Ran; verdict: Ran }> {
  const report = path.join(tempDir('demo-report'), 'report.json');
  const run = await exec(netprobe, [...lead, 'run', path.join(REPO, 'suites/demo'), '-q', '-o', `json=${report}`], { env, timeoutMs: 300_000 });
  const verdict = await exec(process.execPath, [path.join(REPO, 'scripts/demo-verdict.ts'), report, String(run.code)]);
  return { run, verdict };
}
