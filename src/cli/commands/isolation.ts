// `netprobe isolation NAMESPACE`: prove an emergency isolation holds. Builds the probe set (a suite),
// runs it like `netprobe run`, reports; with --watch, re-runs and says the moment a path opens or closes.
import { writeFile } from 'node:fs/promises';
import type { ClusterTarget } from '../../cluster/connect.ts';
import { outputSpecs, printFindings, writeReport } from '../probe-flags.ts';
import { NothingToProbeError, parseLabels } from '../../incident/common.ts';
import { buildProbeSet, type IsolationInputs, type ProbeSet } from '../../incident/isolation-probe-set.ts';
import { IsolationInputError, KEEP_WORDS, parseHostPort } from '../../incident/isolation-suite.ts';
import { formatChange, pathChanges, roundLine } from '../../incident/watch.ts';
import { buildReport, EXIT, exitCodeFor, type Report, type Result } from '../../verdict/model.ts';
import type { RunOutcome, RunSettings } from '../../run/run-suites.ts';
import type { OutputSpec } from '../../report/outputs.ts';
import type { CliIO, Command, ParsedArgs } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { abortOnSignals } from '../signals.ts';
import { defaultStaleAfter, parseListen, serveOrSay } from '../metrics-server.ts';
import { WatchMetrics } from '../../report/metrics.ts';
import { casesFromYaml, connectFor, listValues, PROBE_FLAGS_USAGE, PROBE_OPTIONS, positiveSeconds, probeRound, probeSettings } from '../incident-shared.ts';
import { sleep } from '../../util/sleep.ts';
import { apiErrorMessage } from '../../cluster/errors.ts';
import { finishResults } from '../../run/predictions.ts';
import { policyEvidence } from '../../run/vouchers.ts';
import type { PolicyInputs } from '../../run/policy-inputs.ts';

const USAGE = `netprobe isolation NAMESPACE [FLAGS]

Proves that an emergency isolation of NAMESPACE (or of the pods --selector picks in it) holds: nothing
gets in, nothing gets out except what --keep names. Ingress: from every pod identity of every other
namespace, a stand-in for any pod there, and the labelled pods the namespace's own policies admit, to
every isolated pod on every port its containers declare. Egress: from every isolated identity to the
pods of every other namespace on their declared ports, to the Kubernetes API (its endpoints), to cluster
DNS (allowed only with --keep dns) and to --external addresses. A deny passes only when its target is
shown alive. More: docs/incident.md.

Flags:
  --selector K=V,...         isolate only the pods with these labels (default: the whole namespace)
  --keep WHAT,...            what stays open: dns, kube-api, HOST:PORT; repeatable
  --from-namespaces A,B      the other namespaces to check (default: all but kube-system, kube-public,
                             kube-node-lease)
  --external HOST:PORT,...   addresses outside the cluster the pods must not reach (/UDP for UDP)
  --write-suite FILE         also write the probe set as a suite (netprobe run FILE re-runs it)
  --watch SECONDS            re-run every SECONDS and print a line when a path opens or closes, until Ctrl-C
  --metrics [HOST]:PORT      with --watch: serve /metrics and /healthz as \`netprobe watch\` does
                             (docs/continuous.md)
  -o, --output FORMAT[=FILE] table (default), json, junit, tap, markdown, html,
                             github, github-output; repeatable
${PROBE_FLAGS_USAGE}
  -h, --help                 show this help

Exit codes (as netprobe run): 0 the isolation holds; 1 a leak (or a kept path is blocked); 2 invalid
input or usage; 3 undecided (cluster unreachable, permissions missing, inconclusive paths, no Running and
Ready pod to isolate).
`;

/** The round's report: its results with what the policies add (as `run`: predictions, findings). */
function report(args: string[], outcome: RunOutcome, startedAt: Date, target: ClusterTarget, policies: PolicyInputs | undefined): Report {
  const { results, findings } = finishResults(outcome, policies);
  return buildReport({ id: outcome.runId, argv: ['isolation', ...args], startedAt, cluster: { server: target.server, context: target.context } }, results, findings);
}

/** The first round's line on stderr: where the time went. */
function timingLine(outcome: RunOutcome, startedAt: Date, now: Date): string | undefined {
  const t = outcome.timings;
  if (t === undefined) return undefined;
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return `netprobe isolation: verdict in ${s(now.getTime() - startedAt.getTime())} s (${outcome.plan.sources.length + outcome.plan.servers.length} pods started in ${s(t.startMs)} s, settle ${s(t.settleMs)} s, probes ${s(t.probeMs)} s)\n`;
}

const ISOLATION_OPTIONS = {
  ...PROBE_OPTIONS,
  selector: { type: 'string' },
  keep: { type: 'string', multiple: true },
  'from-namespaces': { type: 'string', multiple: true },
  external: { type: 'string', multiple: true },
  'write-suite': { type: 'string' },
  watch: { type: 'string' },
  metrics: { type: 'string' },
} as const;

type IsolationValues = ParsedArgs<typeof ISOLATION_OPTIONS>['values'];

function parseInputs(values: IsolationValues, positionals: string[], timeoutSeconds: number): IsolationInputs {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no NAMESPACE given' : `one NAMESPACE expected, got ${positionals.join(' ')}`);
  try {
    const keep = listValues(values.keep);
    for (const k of keep) if (!(KEEP_WORDS as readonly string[]).includes(k)) parseHostPort(k);
    const from = listValues(values['from-namespaces']);
    return {
      namespace: positionals[0]!,
      selector: values.selector === undefined ? {} : parseLabels(values.selector),
      keep,
      fromNamespaces: from.length > 0 ? from : undefined,
      external: listValues(values.external).map(parseHostPort),
      timeoutSeconds,
    };
  } catch (err) {
    if (err instanceof Error) throw new UsageError(`${err.message}${err instanceof IsolationInputError ? ` (--keep takes ${KEEP_WORDS.join(', ')} or HOST:PORT)` : ''}`);
    throw err;
  }
}

/** What one isolation check needs, round after round. */
interface Watch {
  args: string[];
  values: IsolationValues;
  inputs: IsolationInputs;
  outputs: OutputSpec[];
  settings: RunSettings;
  target: ClusterTarget;
  signal: AbortSignal;
  io: CliIO;
  watchSeconds: number | undefined;
  /** --metrics: each round's results exported (shared with `netprobe watch`). */
  metrics: WatchMetrics | undefined;
  /** The run's notes said so far: later rounds say only new ones. */
  notesSaid: Set<string>;
}

/** A round ends with an exit code to return now, results to compare with the next round, or nothing to compare. */
type Round = { exit: number } | { code: number; results: Result[] } | { retry: true };

/** The probe set, or how the command ends (invalid input), or a round to skip while watching. */
async function probeSetFor(w: Watch, first: boolean): Promise<ProbeSet | Round> {
  try {
    const set = await buildProbeSet(w.target.kc, w.inputs);
    for (const line of set.warnings) w.io.stderr(`netprobe isolation: ${line}\n`);
    return set;
  } catch (err) {
    if (err instanceof IsolationInputError) {
      w.io.stderr(`netprobe isolation: ${err.message}\n`);
      return { exit: EXIT.usage };
    }
    // While watching, the pods may come back (a rollout) or the API answer again: say so and look again next round.
    const why = err instanceof NothingToProbeError ? err.message : `cannot read the cluster at ${w.target.server}: ${apiErrorMessage(err)}`;
    w.io.stderr(`netprobe isolation: ${why}\n`);
    if (!first) w.metrics?.failedRound();
    return first ? { exit: EXIT.undecided } : { retry: true };
  }
}

async function round(w: Watch, n: number, previous: Result[] | undefined): Promise<Round> {
  const startedAt = new Date();
  const set = await probeSetFor(w, previous === undefined);
  if (!('suite' in set)) return set;
  const { suite, policies } = set;
  if (n === 1) {
    for (const note of suite.notes) w.io.stderr(`netprobe isolation: note: ${note}\n`);
    const c = suite.counts;
    w.io.stderr(`netprobe isolation: ${c.targets} isolated identit${c.targets === 1 ? 'y' : 'ies'}, ${c.sources} ingress source${c.sources === 1 ? '' : 's'}, ${c.expectations} expectations\n`);
  }
  if (w.values['write-suite'] !== undefined) await writeFile(w.values['write-suite'], suite.yaml);
  const cases = casesFromYaml(suite.yaml, w.values['write-suite'] ?? `isolation-${w.inputs.namespace}.yaml`);
  const evidence = policies === undefined ? {} : policyEvidence(policies);
  const outcome = await probeRound(w.target, cases, { ...w.settings, ...evidence, snapshot: set.snapshot }, w.signal, w.values.quiet === true || previous !== undefined, w.notesSaid);
  if (typeof outcome === 'string') {
    w.io.stderr(`netprobe isolation: ${outcome}\n`);
    if (previous !== undefined) w.metrics?.failedRound();
    return previous === undefined ? { exit: EXIT.undecided } : { retry: true };
  }
  if (!outcome.cleaned) w.io.stderr(`netprobe isolation: cleanup of run ${outcome.runId} failed; run \`netprobe clean --run ${outcome.runId}\`\n`);
  if (w.signal.aborted) {
    w.io.stderr(`netprobe isolation: interrupted; pods of run ${outcome.runId} deleted\n`);
    return { exit: 130 };
  }
  const r = report(w.args, outcome, startedAt, w.target, policies);
  w.metrics?.completedRound(r.results, (Date.now() - startedAt.getTime()) / 1000, new Date());
  const wrote = previous === undefined ? await firstRound(w, r, timingLine(outcome, startedAt, new Date()), n) : await laterRound(w, r, previous, n);
  return wrote ? { code: exitCodeFor(r.summary), results: r.results } : { exit: EXIT.usage };
}

/** The report in full; with --watch, the line that says watching began. */
async function firstRound(w: Watch, r: Report, timing: string | undefined, n: number): Promise<boolean> {
  if (timing !== undefined) w.io.stderr(timing);
  if (!(await writeReport('isolation', r, w.outputs, w.io))) return false;
  printFindings(r.findings ?? [], w.io);
  if (w.watchSeconds !== undefined) w.io.stdout(`${roundLine(r.results, new Date(), n)}; watching every ${w.watchSeconds} s (Ctrl-C to stop)\n`);
  return true;
}

/** Only what changed on stdout; files always hold the latest round. */
async function laterRound(w: Watch, r: Report, previous: Result[], n: number): Promise<boolean> {
  const now = new Date();
  for (const change of pathChanges(previous, r.results)) w.io.stdout(`${formatChange(change, now)}\n`);
  if (w.values.quiet !== true) w.io.stderr(`${roundLine(r.results, now, n)}\n`);
  if (w.outputs.some((o) => o.file !== undefined)) await writeReport('isolation', r, w.outputs.filter((o) => o.file !== undefined), { ...w.io, stdout: () => undefined });
  return true;
}

/** Rounds until one ends the command, or, without --watch, after the first. */
async function watch(w: Watch): Promise<number> {
  let previous: Result[] | undefined;
  for (let n = 1; ; n++) {
    const r = await round(w, n, previous);
    if ('exit' in r) return r.exit;
    if ('results' in r) previous = r.results;
    if (w.watchSeconds === undefined) return 'code' in r ? r.code : EXIT.undecided;
    await sleep(w.watchSeconds * 1000, w.signal);
    if (w.signal.aborted) return 130;
  }
}

export const command: Command = {
  name: 'isolation',
  summary: 'prove an emergency isolation of a namespace holds (nothing in, nothing out but what is kept)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, ISOLATION_OPTIONS);
    const outputs = outputSpecs(values.output);
    const { settings, timeoutSeconds } = probeSettings(values);
    const inputs = parseInputs(values, positionals, timeoutSeconds);
    const watchSeconds = values.watch === undefined ? undefined : positiveSeconds(values.watch, '--watch', 0);
    if (watchSeconds !== undefined && watchSeconds <= 0) throw new UsageError('--watch: expected more than 0 seconds');
    if (values.metrics !== undefined && watchSeconds === undefined) throw new UsageError('--metrics needs --watch');
    const listen = values.metrics === undefined ? undefined : parseListen(values.metrics);
    const target = await connectFor('isolation', values, io);
    if (!target) return EXIT.undecided;
    const metrics = listen === undefined || watchSeconds === undefined ? undefined : new WatchMetrics({ intervalSeconds: watchSeconds, staleAfterSeconds: defaultStaleAfter(watchSeconds), startedAt: new Date() });
    const server = metrics && listen ? await serveOrSay('isolation', metrics, listen, io) : undefined;
    if (server === false) return EXIT.usage;
    const signals = abortOnSignals((sig) => io.stderr(`netprobe: ${sig}: stopping and cleaning up\n`));
    try {
      return await watch({ args, values, inputs, outputs, settings, target, signal: signals.signal, io, watchSeconds, metrics, notesSaid: new Set() });
    } finally {
      signals.dispose();
      await server?.close();
    }
  },
};
