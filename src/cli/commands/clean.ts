// `netprobe clean`: remove what runs that are over left behind (pods, heartbeat Leases, ephemeral
// containers, doctor's namespaces). A live run is left alone unless named (--run) or --all is given.
import type { Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS, clusterFlagsFrom } from '../cluster-flags.ts';
import { ClusterConfigError, connect } from '../../cluster/connect.ts';
import { apiErrorMessage } from '../../cluster/errors.ts';
import { cleanLeftovers } from '../../run/clean.ts';
import { EXIT } from '../../verdict/model.ts';

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
      const options = { namespace, runId: values.run, everything: values.run !== undefined || values.all === true };
      await cleanLeftovers(target.kc, options, (line) => io.stdout(`netprobe clean: ${line}\n`));
      return EXIT.ok;
    } catch (err) {
      io.stderr(`netprobe clean: ${err instanceof ClusterConfigError ? err.message : apiErrorMessage(err)}\n`);
      return EXIT.undecided;
    }
  },
};
