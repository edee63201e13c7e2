// `netprobe run PATH...`: probe a live cluster and judge every expectation.
import type { Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { connectFor, outputSpecs, printFindings, probeSettings, PROBE_FLAGS_USAGE, PROBE_OPTIONS, writeReport } from '../probe-flags.ts';
import { abortOnSignals } from '../signals.ts';
import { createProgress } from '../../report/progress.ts';
import { caseLimitDiagnostics, expandSuites, formatDiagnostic, loadSuites, selectSuites } from '../../suite/index.ts';
import { countFlag, LIMIT_FLAGS_USAGE, LIMIT_OPTIONS, maxCasesFrom } from '../limit-flags.ts';
import { DEFAULT_MAX_PROBES } from '../../plan/plan.ts';
import { buildReport, EXIT, exitCodeFor } from '../../verdict/model.ts';
import { readClusterPolicyInputs, readPolicyInputs } from '../policy-inputs.ts';
import { ClusterUnreachableError } from '../../cluster/errors.ts';
import { describePermission, missingPermissions } from '../../cluster/access.ts';
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

export const command: Command = {
  name: 'run',
  summary: 'probe a live cluster and report leaks, broken paths and inconclusive results',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
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
    });
    if (positionals.length === 0) throw new UsageError('no PATH given; expected one or more suite files or folders');
    const outputs = outputSpecs(values.output);
    const dryRun = values['dry-run'] === true;
    const parsed = probeSettings(values);
    const maxCases = maxCasesFrom(values);
    const maxProbes = countFlag(values['max-probes'], '--max-probes', DEFAULT_MAX_PROBES);
    const timeoutOverride = parsed.timeoutGiven ? parsed.timeoutSeconds : undefined;
    const settings = { ...parsed.settings, plan: { ...parsed.settings.plan, synthesizeMissing: values['synthesize-missing'] === true, ephemeral: values.ephemeral === true, maxProbes }, dryRun };

    // Input first: nothing touches the cluster until every file is valid.
    const loaded = await loadSuites(positionals);
    const { suites, unmatched } = selectSuites(loaded.suites, values.only ?? []);
    if (loaded.diagnostics.length === 0 && unmatched.length > 0) throw new UsageError(`--only ${unmatched.join(', ')} matched no expectation name or tag`);
    const problems = loaded.diagnostics.length > 0 ? loaded.diagnostics : caseLimitDiagnostics(suites, maxCases);
    if (problems.length > 0) {
      for (const d of problems) io.stderr(`${formatDiagnostic(d)}\n`);
      io.stderr(`netprobe run: invalid input, nothing was created\n`);
      return EXIT.usage;
    }
    const cases = expandSuites(suites);
    const policyPaths = values.policies ?? [];
    if (values.predict === true && values['no-predict'] === true) throw new UsageError('--predict and --no-predict exclude each other');
    if (policyPaths.length > 0 && (values.predict === true || values['no-predict'] === true)) {
      throw new UsageError('--policies predicts from files; it excludes --predict and --no-predict');
    }
    let policyInputs: Awaited<ReturnType<typeof readPolicyInputs>>;
    if (policyPaths.length > 0) {
      policyInputs = await readPolicyInputs('run', policyPaths, io);
      if (policyInputs === undefined) return EXIT.usage;
    }
    if (timeoutOverride !== undefined) for (const s of suites) for (const e of s.expectations) e.timeoutSeconds = timeoutOverride;

    // The Kubernetes client is loaded only now: checking input stays fast and needs no cluster code.
    const { describePlan, describeWaves, InputLimitError, newRunId, PermissionError, runCases } = await import('../../run/run-suites.ts');
    const target = await connectFor('run', values, io);
    if (!target) return EXIT.undecided;

    const predictMode = policyPaths.length > 0 ? 'files' : values.predict === true ? 'required' : values['no-predict'] === true || dryRun ? 'off' : 'auto';
    if (predictMode === 'required' || predictMode === 'auto') {
      // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
      const { namespacesOf } = await import('../../run/run-suites.ts');
      const { policyStatePermissions } = await import('../../cluster/policy-state.ts');
      const namespaces = namespacesOf(cases);
      const missing = await missingPermissions(target.kc, policyStatePermissions(namespaces)).catch(() => undefined);
      if (missing !== undefined && missing.length === 0) {
        // Read before the run creates anything: the state the probes meet, without netprobe's own pods.
        policyInputs = await readClusterPolicyInputs('run', target, namespaces, io);
      } else if (missing !== undefined && predictMode === 'auto') {
        io.stderr(`netprobe: no prediction: cannot ${describePermission(missing[0]!)}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}\n`);
      }
      if (predictMode === 'required' && policyInputs === undefined) {
        if (missing !== undefined && missing.length > 0) {
          io.stderr(`netprobe run: --predict: missing permissions (nothing was created):\n${missing.map((p) => `  - ${describePermission(p)}`).join('\n')}\n`);
        } else if (missing === undefined) {
          io.stderr(`netprobe run: --predict: cannot reach the cluster at ${target.server}\n`);
        }
        return EXIT.undecided;
      }
    }

    const progress = createProgress({ enabled: values.quiet !== true });
    const signals = abortOnSignals((sig) => progress.log(`netprobe: ${sig}: stopping and cleaning up`));
    const startedAt = new Date();
    const runId = newRunId();
    let outcome;
    try {
      outcome = await runCases(target, cases, {
        ...settings,
        ...(policyInputs === undefined ? {} : policyEvidence(policyInputs)),
        onProgress: (state) => progress.update(state),
        // Said with --quiet too, as the other notes are: only the progress line goes.
        onNote: (line) => (values.quiet === true ? io.stderr(`netprobe: ${line}\n`) : progress.log(`netprobe: ${line}`)),
      }, signals.signal, runId);
    } catch (err) {
      progress.stop();
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
      signals.dispose();
    }
    progress.stop();
    if (dryRun) {
      for (const line of [...describePlan(outcome.plan), ...(outcome.waves ? describeWaves(outcome.plan, outcome.waves) : [])]) io.stdout(`${line}\n`);
      return EXIT.ok;
    }
    if (!outcome.cleaned) io.stderr(`netprobe run: cleanup of run ${runId} failed; run \`netprobe clean --run ${runId}\`\n`);
    if (signals.signal.aborted) {
      io.stderr(`netprobe run: interrupted; pods of run ${runId} deleted\n`);
      return 130;
    }
    const { results, findings } = finishResults(outcome, policyInputs);
    const report = buildReport({ id: runId, argv: ['run', ...args], startedAt, cluster: { server: target.server, context: target.context } }, results, findings);
    if (!(await writeReport('run', report, outputs, io))) return EXIT.usage;
    printFindings(findings, io);
    return exitCodeFor(report.summary);
  },
};
