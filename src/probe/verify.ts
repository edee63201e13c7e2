// --verify-targets, carried out: per planned check (src/plan/verify.ts), an ephemeral container in the
// target pod prints its TCP socket tables and exits; a listener on the port shows the target alive with
// no traffic sent. Runs while the probe pods start, so it costs no time of its own when they are slower.
import pLimit from 'p-limit';
import type { ClusterPort } from '../cluster/port.ts';
import type { TargetCheck } from '../plan/types.ts';
import { listensOn, parseSocketTables } from './listening.ts';
import { socketReaderContainer } from './podspec.ts';

export interface TargetCheckResults {
  /** Alive key -> why it is alive (a listener on the port). */
  alive: Record<string, string>;
  /** Alive key -> what the sockets showed: nothing listens there for other machines. */
  notListening: Record<string, string>;
  /** Alive key -> why its pod's sockets could not be read. */
  failed: Record<string, string>;
}

export interface VerifyOptions {
  runId: string;
  probeImage: string;
  concurrency: number;
  deadlineMs: number;
  signal: AbortSignal;
}

export async function verifyTargets(port: ClusterPort, checks: readonly TargetCheck[], opts: VerifyOptions): Promise<TargetCheckResults> {
  const out: TargetCheckResults = { alive: {}, notListening: {}, failed: {} };
  const limit = pLimit(opts.concurrency);
  const container = `netprobe-${opts.runId}-sockets`;
  await Promise.all(
    checks.map((c) =>
      limit(async () => {
        const where = `pod ${c.namespace}/${c.pod}`;
        const failed = await port.addEphemeralContainer(c.namespace, c.pod, socketReaderContainer(container, opts.probeImage));
        const read = failed !== undefined ? { reason: failed } : await port.ephemeralOutput({ namespace: c.namespace, name: c.pod, container, deadlineMs: opts.deadlineMs, signal: opts.signal });
        if ('reason' in read) {
          for (const p of c.ports) out.failed[p.aliveKey] = `--verify-targets could not read the sockets of ${where}: ${read.reason}`;
          return;
        }
        const sockets = parseSocketTables(read.stdout);
        for (const p of c.ports) {
          if (listensOn(sockets, c.ip, p.port)) out.alive[p.aliveKey] = `${where} listens on TCP ${p.port} (its sockets, read by --verify-targets from an ephemeral container)`;
          else out.notListening[p.aliveKey] = `${where} does not listen on TCP ${p.port} for other machines (its sockets, read by --verify-targets from an ephemeral container)`;
        }
      }),
    ),
  );
  return out;
}
