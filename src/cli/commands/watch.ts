// `netprobe watch PATH... --every 60s --metrics :9090`: continuous verification. Every round is a normal
// run (fresh probe pods, the same verdict rules); status changes are JSON lines on stdout, the state is
// served as Prometheus metrics. See docs/continuous.md.
import type { CliIO, Command, ParsedArgs } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { connectFor, durationSeconds, outputSpecs, probeSettings, PROBE_FLAGS_USAGE, PROBE_OPTIONS } from '../probe-flags.ts';
import { countFlag, LIMIT_FLAGS_USAGE, LIMIT_OPTIONS } from '../limit-flags.ts';
import { loadCases } from '../suite-cases.ts';
import { formatPos } from '../../suite/diagnostics.ts';
import { predictMode, readPolicyInputs } from '../policy-inputs.ts';
import { abortOnSignals } from '../signals.ts';
import { defaultStaleAfter, parseListen, serveOrSay } from '../metrics-server.ts';
import { DEFAULT_MAX_PROBES } from '../../plan/plan.ts';
import { wantsInPod } from '../../plan/sources.ts';
import { EXIT } from '../../verdict/model.ts';
import { WatchMetrics } from '../../report/metrics.ts';
import { watchRounds, type Watcher } from './watch-rounds.ts';

const USAGE = `netprobe watch [FLAGS] PATH...

Runs the suites under PATH again and again, every --every, until stopped (Ctrl-C, SIGTERM, SIGHUP). Each
round is a normal \`netprobe run\`: fresh probe pods carrying each source's current labels and service
account, the same verdict rules, every pod deleted at the end of the round (and on a signal).

Stdout is one JSON line per event: \`"event":"status"\` when an expectation's status changes (on the first
round: each one that is not a pass), \`"event":"round"\` with the counts after each round, and
\`"event":"round-failed"\` when a round could not run (API down, permissions): it is counted, and the
next round tries again. Notes go to stderr, and the run's findings when they change.

Flags:
  --every DURATION           time between the end of a round and the start of the next (default 60s)
  --metrics [HOST]:PORT      serve /metrics (Prometheus text) and /healthz, e.g. :9090 or 127.0.0.1:9090
  --stale-after DURATION     /healthz fails when no round completed for this long
                             (default 3 x --every + 5m)
  --only NAME|TAG            run only these expectations (comma-separated, repeatable)
  --policies PATH            predict every result from these manifests (read once); repeatable
  --predict                  read the cluster's policies each round; a round that cannot is a failed round
  --no-predict               no prediction (by default the cluster's policies are read each round, as
                             \`run\` does, when this identity may)
  --synthesize-missing       start stand-ins for pod selectors that match no pod (else inconclusive)
  -o, --output FORMAT=FILE   also write the latest round's report to FILE (the formats of \`run\`),
                             replaced after each round; repeatable
${PROBE_FLAGS_USAGE}
${LIMIT_FLAGS_USAGE}
  --max-probes N             refuse plans with more probes (default ${DEFAULT_MAX_PROBES.toLocaleString('en-US')})
  -h, --help                 show this help

Not with watch: --verify-targets and ephemeral sources would add an ephemeral container to the same pods
every round (they stay in the pod's spec).

Exit codes: 2 invalid input or usage (nothing was created); 130 stopped by a signal, after cleanup.
`;

const WATCH_OPTIONS = {
  ...PROBE_OPTIONS,
  every: { type: 'string' },
  metrics: { type: 'string' },
  'stale-after': { type: 'string' },
  only: { type: 'string', multiple: true },
  policies: { type: 'string', multiple: true },
  predict: { type: 'boolean' },
  'no-predict': { type: 'boolean' },
  'synthesize-missing': { type: 'boolean' },
  ...LIMIT_OPTIONS,
  'max-probes': { type: 'string' },
} as const;

type WatchValues = ParsedArgs<typeof WATCH_OPTIONS>['values'];

/** The flags that do not touch the cluster, checked before anything does. */
function timing(values: WatchValues): { everySeconds: number; staleAfterSeconds: number } {
  const everySeconds = durationSeconds(values.every ?? '60s', '--every');
  if (everySeconds < 1) throw new UsageError('--every: expected at least 1s');
  const staleAfterSeconds = values['stale-after'] === undefined ? defaultStaleAfter(everySeconds) : durationSeconds(values['stale-after'], '--stale-after');
  if (staleAfterSeconds <= 0) throw new UsageError('--stale-after: expected more than 0s');
  return { everySeconds, staleAfterSeconds };
}

/** What the command line and the files give a watch: checked before the cluster is touched. */
type Prepared = Pick<Watcher, 'cases' | 'settings' | 'outputs' | 'policies' | 'everySeconds'> & { staleAfterSeconds: number };

/** The flags, the suites and --policies files; a number is the exit code (the problem was said). */
async function prepare(values: WatchValues, positionals: string[], io: CliIO): Promise<Prepared | number> {
  if (positionals.length === 0) throw new UsageError('no PATH given; expected one or more suite files or folders');
  if (values['verify-targets'] === true) throw new UsageError('--verify-targets is not for watch: each round would add another ephemeral container to the target pods');
  const outputs = values.output === undefined ? [] : outputSpecs(values.output);
  if (outputs.some((o) => o.file === undefined)) throw new UsageError('-o: watch writes reports to files only (-o FORMAT=FILE); stdout is the JSON event log');
  const { everySeconds, staleAfterSeconds } = timing(values);
  if (values.metrics !== undefined) parseListen(values.metrics);
  const parsed = probeSettings(values);
  const maxProbes = countFlag(values['max-probes'], '--max-probes', DEFAULT_MAX_PROBES);
  const mode = predictMode(values, false);
  const cases = await loadCases('watch', values, positionals, parsed.timeoutGiven ? parsed.timeoutSeconds : undefined, io);
  if (cases === undefined) return EXIT.usage;
  const inPod = cases.find((c) => wantsInPod(c.from.peer, false));
  if (inPod) {
    io.stderr(`${formatPos(inPod.from.pos)}: ${inPod.from.label} says \`ephemeral: true\`: not for watch, each round would add another ephemeral container to its pods\nnetprobe watch: invalid input, nothing was created\n`);
    return EXIT.usage;
  }
  let policies: Watcher['policies'];
  if (mode === 'files') {
    const inputs = await readPolicyInputs('watch', values.policies ?? [], io);
    if (inputs === undefined) return EXIT.usage;
    policies = { mode, inputs };
  } else policies = { mode };
  const settings = { ...parsed.settings, plan: { ...parsed.settings.plan, synthesizeMissing: values['synthesize-missing'] === true, maxProbes } };
  return { cases, settings, outputs, policies, everySeconds, staleAfterSeconds };
}

export const command: Command = {
  name: 'watch',
  summary: 'run suites every interval; log status changes as JSON, serve Prometheus /metrics and /healthz',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, WATCH_OPTIONS);
    const prepared = await prepare(values, positionals, io);
    if (typeof prepared === 'number') return prepared;
    const { staleAfterSeconds, ...inputs } = prepared;
    const target = await connectFor('watch', values, io);
    if (!target) return EXIT.undecided;
    const metrics = new WatchMetrics({ intervalSeconds: inputs.everySeconds, staleAfterSeconds, startedAt: new Date() });
    const server = values.metrics === undefined ? undefined : await serveOrSay('watch', metrics, parseListen(values.metrics), io);
    if (server === false) return EXIT.usage;
    const signals = abortOnSignals((sig) => io.stderr(`netprobe: ${sig}: stopping and cleaning up\n`));
    const n = inputs.cases.length;
    io.stderr(`netprobe watch: ${n} expectation${n === 1 ? '' : 's'}, a round every ${inputs.everySeconds} s after the last ends; stop with Ctrl-C or SIGTERM\n`);
    try {
      return await watchRounds({ ...inputs, args, target, metrics, io, signal: signals.signal, quiet: values.quiet === true, notesSaid: new Set() });
    } finally {
      signals.dispose();
      await server?.close();
    }
  },
};
