// `netprobe clean`: remove what a killed run left behind (every pod carrying netprobe's run label).
import type { Command } from '../main.ts';
import { parseCommandArgs } from '../main.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS, clusterFlagsFrom } from '../cluster-flags.ts';
import { ClusterConfigError, connect } from '../../cluster/connect.ts';
import { apiErrorMessage } from '../../cluster/errors.ts';
import { deleteRunPods } from '../../cluster/pods.ts';
import { deleteRunNamespaces } from '../../cluster/canary.ts';
import { EXIT } from '../../verdict/model.ts';
import { runningEphemeralContainers } from '../../cluster/ephemeral.ts';
import { stopEphemeralProbe } from '../../probe/runner.ts';

const USAGE = `netprobe clean [--run ID] [FLAGS]

Deletes every pod netprobe created (label netprobe.dev/run) in every namespace, or only those of one run,
and the temporary namespaces netprobe doctor creates (same labels; not with --namespace). Stops the
ephemeral containers of runs that probed from inside pods (\`ephemeral: true\`, \`--ephemeral\`): the API
cannot remove them from the pods' specs, and they would end by themselves only at the run's deadline.

Flags:
${CLUSTER_FLAGS_USAGE}
  --run ID             only this run's pods
  -h, --help           show this help
`;

export const command: Command = {
  name: 'clean',
  summary: "delete what interrupted runs left behind",
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { ...CLUSTER_OPTIONS, run: { type: 'string' } });
    try {
      const target = connect(clusterFlagsFrom(values));
      const namespace = clusterFlagsFrom(values).namespace;
      const n = await deleteRunPods(target.kc, values.run, namespace ? [namespace] : undefined);
      io.stdout(`netprobe clean: deleted ${namespace ? 'the' : n} netprobe pod${n === 1 ? '' : 's'}${values.run ? ` of run ${values.run}` : ''}${namespace ? ` in ${namespace}` : ''}\n`);
      const leftover = (await runningEphemeralContainers(target.kc, namespace)).filter((e) => !values.run || e.runId === values.run);
      const stopped = (await Promise.all(leftover.map((e) => stopEphemeralProbe(target.kc, e, e.runId)))).filter(Boolean).length;
      if (stopped > 0) io.stdout(`netprobe clean: stopped ${stopped} ephemeral container${stopped === 1 ? '' : 's'}\n`);
      if (!namespace) {
        const gone = await deleteRunNamespaces(target.kc, values.run);
        if (gone.length > 0) io.stdout(`netprobe clean: deleted namespace${gone.length === 1 ? '' : 's'} ${gone.join(', ')}\n`);
      }
      return EXIT.ok;
    } catch (err) {
      io.stderr(`netprobe clean: ${err instanceof ClusterConfigError ? err.message : apiErrorMessage(err)}\n`);
      return EXIT.undecided;
    }
  },
};
