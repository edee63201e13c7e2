// The clean pipeline: find what netprobe runs left behind, decide which runs are over, delete their
// pods, ephemeral probes, heartbeat Leases and expiry Jobs, and doctor's namespaces. `say` gets one line
// per thing done or left alone.
import type * as k8s from '@kubernetes/client-node';
import { deleteNamespace } from '../cluster/canary.ts';
import { deleteLeases, findLeftovers, type Leftovers } from '../cluster/leftovers.ts';
import { deleteRunPods } from '../cluster/pods.ts';
import { deleteExpiryJobs } from '../cluster/run-owner.ts';
import { runState } from '../cluster/run-state.ts';
import { stopEphemeralProbe } from '../probe/runner.ts';

export interface CleanOptions {
  namespace?: string;
  runId?: string;
  /** Clean live runs too (--run, --all). */
  everything: boolean;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The runs to clean: all found with --run/--all, else those that are over (the others are named, with why). */
function runsToClean(found: Leftovers, everything: boolean, say: (line: string) => void): Set<string> {
  const ids = [...new Set([...found.pods, ...found.leases, ...found.ephemeral, ...found.namespaces].map((o) => o.runId))].filter(Boolean).sort();
  if (everything) return new Set(ids);
  const now = new Date();
  const over = new Set<string>();
  for (const id of ids) {
    const state = runState(id, found.leases, [...found.pods, ...found.ephemeral], now);
    if (state.over) over.add(id);
    else say(`left run ${id} alone: ${state.why} (--run ${id} cleans it anyway)`);
  }
  return over;
}

async function cleanRuns(kc: k8s.KubeConfig, found: Leftovers, runs: ReadonlySet<string>, say: (line: string) => void): Promise<void> {
  const pods = found.pods.filter((p) => runs.has(p.runId));
  const podNamespaces = new Map<string, Set<string>>();
  for (const p of pods) podNamespaces.set(p.runId, (podNamespaces.get(p.runId) ?? new Set()).add(p.namespace));
  // One run's pods at a time by its own label: another run's pods in the same namespace stay.
  await Promise.all([...podNamespaces].map(([runId, namespaces]) => deleteRunPods(kc, runId, [...namespaces])));
  if (pods.length > 0) say(`deleted ${plural(pods.length, 'netprobe pod')} of ${plural(podNamespaces.size, 'run')}`);
  const ephemeral = found.ephemeral.filter((e) => runs.has(e.runId));
  const stopped = (await Promise.all(ephemeral.map((e) => stopEphemeralProbe(kc, e, e.runId)))).filter(Boolean).length;
  if (stopped > 0) say(`stopped ${plural(stopped, 'ephemeral container')}`);
  const leases = found.leases.filter((l) => runs.has(l.runId));
  await deleteLeases(kc, leases);
  // The Job beside each Lease (it would fail and go by itself at the run's deadline).
  await deleteExpiryJobs(kc, leases);
  if (leases.length > 0) say(`deleted ${plural(leases.length, 'heartbeat Lease')}`);
  const namespaces = found.namespaces.filter((n) => runs.has(n.runId)).map((n) => n.name);
  await Promise.all(namespaces.map((name) => deleteNamespace(kc, name)));
  if (namespaces.length > 0) say(`deleted namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}`);
  if (runs.size === 0) say('nothing to clean');
}

/** Cleans what runs that are over (or, with `everything`, all runs found) left behind. */
export async function cleanLeftovers(kc: k8s.KubeConfig, options: CleanOptions, say: (line: string) => void): Promise<void> {
  const found = await findLeftovers(kc, { namespace: options.namespace, runId: options.runId });
  await cleanRuns(kc, found, runsToClean(found, options.everything, say), say);
}
