// `netprobe clean`: remove what runs that are over left behind (pods, heartbeat Leases, ephemeral
// containers, doctor's namespaces). A live run is left alone unless named (--run) or --all is given.
import type { Command, CliIO } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS, clusterFlagsFrom } from '../cluster-flags.ts';
import type * as k8s from '@kubernetes/client-node';
import { ClusterConfigError, connect } from '../../cluster/connect.ts';
import { apiErrorMessage } from '../../cluster/errors.ts';
import { deleteRunPods } from '../../cluster/pods.ts';
import { deleteNamespace } from '../../cluster/canary.ts';
import { deleteLeases, findLeftovers, type Leftovers } from '../../cluster/leftovers.ts';
import { runState } from '../../cluster/run-state.ts';
import { deleteExpiryJobs } from '../../cluster/run-owner.ts';
import { EXIT } from '../../verdict/model.ts';
import { stopEphemeralProbe } from '../../probe/runner.ts';

const USAGE = `netprobe clean [--run ID | --all] [FLAGS]

Deletes what netprobe runs left behind: their pods (label netprobe.dev/run), their heartbeat Leases
and the Jobs that expire them (netprobe-<run>; the Lease owns the run's pods), the temporary namespaces
netprobe doctor creates (not with --namespace), and stops the ephemeral containers of runs that probed
from inside pods (\`ephemeral: true\`, \`--ephemeral\`): the API cannot remove them from the pods'
specs, and they would end by themselves only at the run's deadline.

By default only runs that are over are touched: a run whose heartbeat (a Lease it renews every 10 s)
is stale, or, for a run without one, whose pods' deadline (activeDeadlineSeconds) has passed. A live
run is left alone, and clean says why. A run killed with kill -9 looks live until its heartbeat goes
stale (30 s): name it with --run to clean it at once.

Flags:
${CLUSTER_FLAGS_USAGE}
  --run ID             only this run, live or not
  --all                every run, live or not (other people's runs included)
  -h, --help           show this help
`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The runs to clean: all found with --run/--all, else those that are over (the others are named, with why). */
function runsToClean(found: Leftovers, everything: boolean, io: CliIO): Set<string> {
  const ids = [...new Set([...found.pods, ...found.leases, ...found.ephemeral, ...found.namespaces].map((o) => o.runId))].filter(Boolean).sort();
  if (everything) return new Set(ids);
  const now = new Date();
  const over = new Set<string>();
  for (const id of ids) {
    const state = runState(id, found.leases, [...found.pods, ...found.ephemeral], now);
    if (state.over) over.add(id);
    else io.stdout(`netprobe clean: left run ${id} alone: ${state.why} (--run ${id} cleans it anyway)\n`);
  }
  return over;
}

async function cleanRuns(kc: k8s.KubeConfig, found: Leftovers, runs: ReadonlySet<string>, io: CliIO): Promise<void> {
  const pods = found.pods.filter((p) => runs.has(p.runId));
  const podNamespaces = new Map<string, Set<string>>();
  for (const p of pods) podNamespaces.set(p.runId, (podNamespaces.get(p.runId) ?? new Set()).add(p.namespace));
  // One run's pods at a time by its own label: another run's pods in the same namespace stay.
  await Promise.all([...podNamespaces].map(([runId, namespaces]) => deleteRunPods(kc, runId, [...namespaces])));
  if (pods.length > 0) io.stdout(`netprobe clean: deleted ${plural(pods.length, 'netprobe pod')} of ${plural(podNamespaces.size, 'run')}\n`);
  const ephemeral = found.ephemeral.filter((e) => runs.has(e.runId));
  const stopped = (await Promise.all(ephemeral.map((e) => stopEphemeralProbe(kc, e, e.runId)))).filter(Boolean).length;
  if (stopped > 0) io.stdout(`netprobe clean: stopped ${plural(stopped, 'ephemeral container')}\n`);
  const leases = found.leases.filter((l) => runs.has(l.runId));
  await deleteLeases(kc, leases);
  // The Job beside each Lease (it would fail and go by itself at the run's deadline).
  await deleteExpiryJobs(kc, leases);
  if (leases.length > 0) io.stdout(`netprobe clean: deleted ${plural(leases.length, 'heartbeat Lease')}\n`);
  const namespaces = found.namespaces.filter((n) => runs.has(n.runId)).map((n) => n.name);
  await Promise.all(namespaces.map((name) => deleteNamespace(kc, name)));
  if (namespaces.length > 0) io.stdout(`netprobe clean: deleted namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}\n`);
  if (runs.size === 0) io.stdout('netprobe clean: nothing to clean\n');
}

export const command: Command = {
  name: 'clean',
  summary: 'delete what runs that are over left behind',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { ...CLUSTER_OPTIONS, run: { type: 'string' }, all: { type: 'boolean' } });
    if (values.run !== undefined && values.all === true) throw new UsageError('--run and --all exclude each other');
    try {
      const target = connect(clusterFlagsFrom(values));
      const namespace = clusterFlagsFrom(values).namespace;
      const found = await findLeftovers(target.kc, { namespace, runId: values.run });
      const runs = runsToClean(found, values.run !== undefined || values.all === true, io);
      await cleanRuns(target.kc, found, runs, io);
      return EXIT.ok;
    } catch (err) {
      io.stderr(`netprobe clean: ${err instanceof ClusterConfigError ? err.message : apiErrorMessage(err)}\n`);
      return EXIT.undecided;
    }
  },
};
