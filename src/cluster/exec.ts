// Runs a command in a container (kubectl exec) and collects its output.
import * as k8s from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { apiRequests } from './api.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** 0 on success; the command's exit code when the API reports one; -1 when the stream broke. */
  exitCode: number;
  error?: string;
}

class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk);
    cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export async function execInPod(
  kc: k8s.KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  timeoutMs: number,
): Promise<ExecResult> {
  const stdout = new Collect();
  const stderr = new Collect();
  const exec = new k8s.Exec(kc);
  apiRequests.count += 1;
  return new Promise<ExecResult>((resolve) => {
    let settled = false;
    const finish = (exitCode: number, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const r: ExecResult = { stdout: stdout.text(), stderr: stderr.text(), exitCode };
      if (error) r.error = error;
      resolve(r);
    };
    const timer = setTimeout(() => {
      finish(-1, `exec did not finish within ${timeoutMs} ms`);
      ws?.close();
    }, timeoutMs);
    let ws: { close(): void; on(ev: string, fn: () => void): void } | undefined;
    exec
      .exec(namespace, pod, container, command, stdout, stderr, null, false, (status) => {
        if (status.status === 'Success') finish(0);
        else {
          const code = Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message ?? -1);
          finish(Number.isFinite(code) ? code : -1, status.message);
        }
      })
      .then((socket) => {
        ws = socket;
        // The status callback normally comes first; a close without it still ends the wait.
        socket.on('close', () => setTimeout(() => finish(-1, 'exec stream closed without a status'), 50));
      })
      .catch((err: unknown) => finish(-1, `exec failed: ${(err as Error).message ?? String(err)}`));
  });
}
