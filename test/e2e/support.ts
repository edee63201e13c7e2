// What the end-to-end tests share: the cluster's coordinates, running the real netprobe binary, and
// kubectl for checks that must not go through netprobe's own code.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Report } from '../../src/verdict/model.ts';

const run = promisify(execFile);
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin/netprobe.js');

export interface ClusterEnv {
  kubeconfig: string;
  probeImage: string;
  echoImage: string;
  externalIp: string;
}

/**
 * The cluster `scripts/cluster/cluster up` made. In CI a missing cluster fails the test run (an e2e test
 * never skips itself there); elsewhere the suite is skipped with a note on how to bring one up.
 */
export function clusterEnv(ctx: Mocha.Context): ClusterEnv {
  const { KUBECONFIG, PROBE_IMAGE, ECHO_IMAGE, EXTERNAL_IP } = process.env;
  if (KUBECONFIG && PROBE_IMAGE && ECHO_IMAGE && EXTERNAL_IP) {
    return { kubeconfig: KUBECONFIG, probeImage: PROBE_IMAGE, echoImage: ECHO_IMAGE, externalIp: EXTERNAL_IP };
  }
  const msg = 'no local cluster: eval "$(scripts/cluster/cluster up | tail -4)" first (KUBECONFIG, PROBE_IMAGE, ECHO_IMAGE, EXTERNAL_IP)';
  if (process.env.CI) throw new Error(`${msg}; in CI end-to-end tests never skip`);
  console.log(`      (skipped: ${msg})`);
  ctx.skip();
}

/**
 * Which backend made the cluster: scripts/test exports NETPROBE_CLUSTER_BACKEND (bare unless asked for
 * kind), so the tests' own calls of scripts/cluster/cluster go to the same one.
 */
export function clusterBackend(): 'bare' | 'kind' {
  return process.env.NETPROBE_CLUSTER_BACKEND === 'kind' ? 'kind' : 'bare';
}

/** The kind backend's node container (scripts/cluster/kind/kind.sh). */
export const KIND_NODE = `${process.env.NETPROBE_KIND_NAME ?? 'netprobe'}-control-plane`;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function netprobe(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, ms: Date.now() - started }));
  });
}

/** Starts netprobe without waiting, for signal tests. */
export function startNetprobe(args: string[]): { child: ChildProcess; output: () => string; done: Promise<CliRun> } {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr: out, ms: Date.now() - started })));
  return { child, output: () => out, done };
}

export function kubectlPath(): string {
  const versions = readFileSync(path.join(REPO, 'scripts/versions.env'), 'utf8');
  const k8s = /^K8S_VERSION=(\S+)/m.exec(versions)?.[1] ?? '';
  return process.env.KUBECTL ?? path.join(process.env.NETPROBE_CACHE ?? '/var/cache/netprobe', 'bin', `k8s-${k8s}`, 'kubectl');
}

export async function kubectl(args: string[], input?: string): Promise<string> {
  if (input !== undefined) {
    return new Promise((resolve, reject) => {
      const child = spawn(kubectlPath(), args, { env: process.env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')}: ${err}`))));
      child.stdin.end(input);
    });
  }
  const { stdout } = await run(kubectlPath(), args, { env: process.env, maxBuffer: 16 << 20 });
  return stdout;
}

/** netprobe's pods left anywhere in the cluster (any run). */
export async function leftoverPods(): Promise<string[]> {
  const out = await kubectl(['get', 'pods', '-A', '-l', 'netprobe.dev/run', '-o', 'name']);
  return out.split('\n').filter(Boolean);
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'netprobe-e2e-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

export function readReport(file: string): Report {
  return JSON.parse(readFileSync(file, 'utf8')) as Report;
}
