// `netprobe run PATH...`: probe a live cluster and judge every expectation.
import type { CliIO, Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { connectFor, outputSpecs, printFindings, probeSettings, PROBE_FLAGS_USAGE, PROBE_OPTIONS, REPORT_OUTPUT_USAGE, writeReport } from '../probe-flags.ts';
import { abortOnSignals } from '../signals.ts';
import { createProgress } from '../../report/progress.ts';
import { countFlag, LIMIT_FLAGS_USAGE, LIMIT_OPTIONS } from '../limit-flags.ts';
import { loadCases } from '../suite-cases.ts';
import { DEFAULT_MAX_PROBES } from '../../plan/plan.ts';
import { buildReport, EXIT, exitCodeFor } from '../../verdict/model.ts';
import { clusterPolicies, predictMode, readPolicyInputs } from '../policy-inputs.ts';
import { ClusterUnreachableError } from '../../cluster/errors.ts';
import type { ClusterTarget } from '../../cluster/connect.ts';
import type { RunOutcome, RunSettings } from '../../run/run-suites.ts';
import type { Case } from '../../suite/model.ts';
import { policyEvidence } from '../../run/vouchers.ts';
import { finishResults } from '../../run/predictions.ts';

const USAGE = `netprobe run [FLAGS] PATH...

Loads the suites under PATH, starts short-lived probe pods that carry each source's labels and service
account, sends real traffic, and reports which allowed paths fail (broken) and which forbidden paths
succeed (leak). Everything netprobe creates is deleted at the end, on Ctrl-C and on SIGTERM.

Flags:
  --only NAME|TAG            run only these expectations (comma-separated, repeatable)
  --policies PATH            predict every result from these manifests (as netprobe predict); repeatable
  --predict                  predict from the cluster's own NetworkPolicies; fail if they cannot be read
  --no-predict               no prediction
  --dry-run                  print the plan (pods to create, probes per pod) and create nothing
  --synthesize-missing       start stand-ins for pod selectors that match no pod (else inconclusive)
  --ephemeral                probe from inside a running pod of each source (an ephemeral container,
                             which stays in that pod's spec until the pod is replaced), as if every
                             source said \`ephemeral: true\`; sources without one use a probe pod
${REPORT_OUTPUT_USAGE}
${PROBE_FLAGS_USAGE}
${LIMIT_FLAGS_USAGE}
  --max-probes N             refuse plans with more probes (default ${DEFAULT_MAX_PROBES.toLocaleString('en-US')}), before creating anything
  -h, --help                 show this help

Prediction: each result carries the policy engine's verdict (\`predicted\`, the deciding \`policies\`, and
for non-passes the policies' reason in \`detail\`); where observation and prediction disagree, the pattern is
named after the report (e.g. a plugin that does not enforce NetworkPolicy). By default the policies are
read from the cluster when this identity may list namespaces, and NetworkPolicies, Pods and Services in
the namespaces the suites name (checked first, nothing else is asked); otherwise the run goes on without.

Exit codes: 0 every expectation held; 1 a leak or a broken path; 2 invalid input or usage (nothing was
created); 3 the run could not decide (cluster unreachable, permissions missing, only inconclusive left).
`;

// Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs: checking input stays fast.
const pipeline = () => import('../../run/run-suites.ts');

const RUN_OPTIONS = {
  ...PROBE_OPTIONS,
  only: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  'synthesize-missing': { type: 'boolean' },
  ephemeral: { type: 'boolean' },
  policies: { type: 'string', multiple: true },
  predict: { type: 'boolean' },
  'no-predict': { type: 'boolean' },
  ...LIMIT_OPTIONS,
  'max-probes': { type: 'string' },
} as const;

/** The run itself, with its progress line and signal handling; an exit code where it could not run. */
async function probe(target: ClusterTarget, cases: Case[], settings: RunSettings, quiet: boolean, io: CliIO): Promise<{ outcome: RunOutcome; runId: string; aborted: boolean; startedAt: Date } | number> {
  const { InputLimitError, newRunId, PermissionError, runCases } = await pipeline();
  const progress = createProgress({ enabled: !quiet });
  const signals = abortOnSignals((sig) => progress.log(`netprobe: ${sig}: stopping and cleaning up`));
  const startedAt = new Date();
  const runId = newRunId();
  try {
    const outcome = await runCases(target, cases, {
      ...settings,
      onProgress: (state) => progress.update(state),
      // Said with --quiet too, as the other notes are: only the progress line goes.
      onNote: (line) => (quiet ? io.stderr(`netprobe: ${line}\n`) : progress.log(`netprobe: ${line}`)),
    }, signals.signal, runId);
    return { outcome, runId, aborted: signals.signal.aborted, startedAt };
  } catch (err) {
    if (err instanceof InputLimitError) {
      io.stderr(`${err.message}\nnetprobe run: invalid input, nothing was created\n`);
      return EXIT.usage;
    }
    if (err instanceof PermissionError || err instanceof ClusterUnreachableError) {
      io.stderr(`netprobe run: ${err.message}\n`);
      return EXIT.undecided;
    }
    throw err;
  } finally {
    progress.stop();
    signals.dispose();
  }
}

export const command: Command = {
  name: 'run',
  summary: 'probe a live cluster and report leaks, broken paths and inconclusive results',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, RUN_OPTIONS);
    if (positionals.length === 0) throw new UsageError('no PATH given; expected one or more suite files or folders');
    const outputs = outputSpecs(values.output);
    const dryRun = values['dry-run'] === true;
    const parsed = probeSettings(values);
    const maxProbes = countFlag(values['max-probes'], '--max-probes', DEFAULT_MAX_PROBES);
    const plan = { ...parsed.settings.plan, synthesizeMissing: values['synthesize-missing'] === true, ephemeral: values.ephemeral === true, maxProbes };
    const cases = await loadCases('run', values, positionals, parsed.timeoutGiven ? parsed.timeoutSeconds : undefined, io);
    if (cases === undefined) return EXIT.usage;
    const mode = predictMode(values, dryRun);
    let policies = mode === 'files' ? await readPolicyInputs('run', values.policies ?? [], io) : undefined;
    if (mode === 'files' && policies === undefined) return EXIT.usage;
    const target = await connectFor('run', values, io);
    if (!target) return EXIT.undecided;
    if (mode === 'required' || mode === 'auto') {
      const read = await clusterPolicies('run', target, cases, mode, io);
      if (read === false) return EXIT.undecided;
      policies = read;
    }
    const settings: RunSettings = { ...parsed.settings, plan, dryRun, ...(policies === undefined ? {} : policyEvidence(policies)) };
    const ran = await probe(target, cases, settings, values.quiet === true, io);
    if (typeof ran === 'number') return ran;
    const { outcome, runId } = ran;
    if (dryRun) {
      const { describePlan, describeWaves } = await pipeline();
      for (const line of [...describePlan(outcome.plan), ...(outcome.waves ? describeWaves(outcome.plan, outcome.waves) : [])]) io.stdout(`${line}\n`);
      return EXIT.ok;
    }
    if (!outcome.cleaned) io.stderr(`netprobe run: cleanup of run ${runId} failed; run \`netprobe clean --run ${runId}\`\n`);
    if (ran.aborted) {
      io.stderr(`netprobe run: interrupted; pods of run ${runId} deleted\n`);
      return 130;
    }
    const { results, findings } = finishResults(outcome, policies);
    const report = buildReport({ id: runId, argv: ['run', ...args], startedAt: ran.startedAt, cluster: { server: target.server, context: target.context } }, results, findings);
    if (!(await writeReport('run', report, outputs, io))) return EXIT.usage;
    printFindings(findings, io);
    return exitCodeFor(report.summary);
  },
};
