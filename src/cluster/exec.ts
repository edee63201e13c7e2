// Runs a command in a container (kubectl exec) and collects its output. Input that must stay out of the
// command line (it shows in API audit logs and in the node's /proc/*/cmdline) goes on stdin.
import * as k8s from '@kubernetes/client-node';
import { PassThrough, Writable } from 'node:stream';
import { apiRequests } from './api.ts';
import { backoffMs, isRetryable } from './retry.ts';

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

/**
 * Whether an exec whose WebSocket handshake failed may be tried again: the command never started, so
 * a passing failure (429, 5xx, a broken connection) is retried like any API call.
 */
export function handshakeRetryable(err: unknown): boolean {
  const e = err as { message?: unknown; error?: unknown } | undefined;
  const status = /Unexpected server response: (\d+)/.exec(typeof e?.message === 'string' ? e.message : '')?.[1];
  if (status !== undefined) return isRetryable({ code: Number(status) });
  return isRetryable(e?.error ?? err);
}

/** The exec protocol that can close stdin alone (Kubernetes 1.30+); older ones can only close everything. */
const STDIN_CLOSING_PROTOCOL = 'v5.channel.k8s.io';
/** Bytes per stdin message: well under any WebSocket frame limit on the way. */
const STDIN_CHUNK = 64 * 1024;

/** `stdin`, when given, is written to the command's standard input, which is then closed (end of file). */
export async function execInPod(
  kc: k8s.KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  timeoutMs: number,
  stdin?: string,
): Promise<ExecResult> {
  const stdout = new Collect();
  const stderr = new Collect();
  const input = stdin === undefined ? null : new PassThrough();
  const exec = new k8s.Exec(kc);
  const started = Date.now();
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
    const start = (attempt: number): void => {
      if (settled) return;
      apiRequests.count += 1;
      exec
        .exec(namespace, pod, container, command, stdout, stderr, input, false, (status) => {
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
          if (input === null) return;
          // Ending stdin on an older protocol closes the whole exec: say so rather than lose the output.
          if (socket.protocol !== STDIN_CLOSING_PROTOCOL) {
            finish(-1, `the API server cannot close an exec's stdin (protocol ${socket.protocol || 'unknown'}; needs ${STDIN_CLOSING_PROTOCOL}, Kubernetes 1.30 or later)`);
            socket.close();
            return;
          }
          // client-node sends each chunk as one message, then on end a close frame for stdin only.
          const bytes = Buffer.from(stdin ?? '');
          for (let at = 0; at < bytes.length; at += STDIN_CHUNK) input.write(bytes.subarray(at, at + STDIN_CHUNK));
          input.end();
        })
        .catch((err: unknown) => {
          const wait = backoffMs(attempt);
          if (!settled && handshakeRetryable(err) && Date.now() - started + wait < timeoutMs) {
            apiRequests.retries += 1;
            setTimeout(() => start(attempt + 1), wait);
            return;
          }
          finish(-1, `exec failed: ${(err as Error).message ?? String(err)}`);
        });
    };
    start(1);
  });
}
