// The rounds of `netprobe watch`: each a normal run, its changes logged and its results exported; a round
// that cannot run is logged and counted, and the next one tries again.
import type { ClusterTarget } from '../../cluster/connect.ts';
import type { RunOutcome, RunSettings } from '../../run/run-suites.ts';
import type { OutputSpec } from '../../report/outputs.ts';
import type { WatchMetrics } from '../../report/metrics.ts';
import { noteKey } from '../incident-shared.ts';
import { changeLine, roundCompletedLine, roundFailedLine, statusChanges } from '../../report/status-log.ts';
import { buildReport, type Result } from '../../verdict/model.ts';
import type { Case } from '../../suite/model.ts';
import type { PolicyInputs } from '../../run/policy-inputs.ts';
import { finishResults } from '../../run/predictions.ts';
import { policyEvidence } from '../../run/vouchers.ts';
import { sleep } from '../../util/sleep.ts';
import { apiErrorMessage } from '../../cluster/errors.ts';
import { probeRound } from '../incident-shared.ts';
import { clusterPolicies } from '../policy-inputs.ts';
import { printFindings, writeReport } from '../probe-flags.ts';
import type { CliIO } from '../main.ts';

/** What every round needs. */
export interface Watcher {
  args: string[];
  target: ClusterTarget;
  cases: readonly Case[];
  settings: RunSettings;
  outputs: readonly OutputSpec[];
  metrics: WatchMetrics;
  io: CliIO;
  signal: AbortSignal;
  everySeconds: number;
  /** The policies each round judges with: files read once, or the cluster's read each round (as `run`). */
  policies: { mode: 'files'; inputs: PolicyInputs } | { mode: 'required' | 'auto' | 'off' };
  quiet: boolean;
  /** The run's notes said so far: each is said once, not every round. */
  notesSaid?: Set<string>;
}

type Probed = { outcome: RunOutcome; policies: PolicyInputs | undefined } | { error: string };

/** `io` whose stderr says each text once across rounds (kept in `said`): a Deployment's log is read for changes. */
export function sayingOnce(io: CliIO, said: Set<string>): CliIO {
  return {
    ...io,
    stderr: (text) => {
      if (said.has(noteKey(text))) return;
      said.add(noteKey(text));
      io.stderr(text);
    },
  };
}

/** The policies (when readable) and the run; any error becomes a message, so the watch goes on. */
async function probe(w: Watcher): Promise<Probed> {
  try {
    const p = w.policies;
    const io = w.notesSaid === undefined ? w.io : sayingOnce(w.io, w.notesSaid);
    const policies = p.mode === 'files' ? p.inputs : p.mode === 'off' ? undefined : await clusterPolicies('watch', w.target, w.cases, p.mode, io);
    if (policies === false) return { error: `--predict: cannot read the policies from ${w.target.server}` };
    const settings = { ...w.settings, ...(policies === undefined ? {} : policyEvidence(policies)) };
    const outcome = await probeRound(w.target, w.cases, settings, w.signal, w.quiet, w.notesSaid);
    return typeof outcome === 'string' ? { error: outcome } : { outcome, policies };
  } catch (err) {
    return { error: apiErrorMessage(err) };
  }
}

/** What a round left for the next to compare with. */
interface Previous {
  results: Result[];
  /** The run-level findings last said (on stderr), so the same ones are not said every round. */
  findings: string;
}

/** One round: its results, or undefined when it could not run or was stopped. */
async function round(w: Watcher, n: number, previous: Previous | undefined): Promise<Previous | undefined> {
  const startedAt = new Date();
  const probed = await probe(w);
  const now = new Date();
  if ('error' in probed) {
    w.metrics.failedRound();
    if (!w.signal.aborted) w.io.stdout(`${roundFailedLine(n, probed.error, now)}\n`);
    return undefined;
  }
  const { outcome, policies } = probed;
  if (!outcome.cleaned) w.io.stderr(`netprobe watch: cleanup of run ${outcome.runId} failed; run \`netprobe clean --run ${outcome.runId}\`\n`);
  if (w.signal.aborted) {
    if (outcome.cleaned) w.io.stderr(`netprobe watch: interrupted; pods of run ${outcome.runId} deleted\n`);
    return undefined;
  }
  const { results, findings } = finishResults(outcome, policies);
  const report = buildReport({ id: outcome.runId, argv: ['watch', ...w.args], startedAt, cluster: { server: w.target.server, context: w.target.context } }, results, findings);
  const seconds = (now.getTime() - startedAt.getTime()) / 1000;
  for (const c of statusChanges(previous?.results, results)) w.io.stdout(`${changeLine(c, now)}\n`);
  // Patterns across results (a plugin that does not enforce NetworkPolicy, ...): said when they change.
  const said = JSON.stringify(findings);
  if (said !== (previous?.findings ?? '[]')) printFindings(findings, w.io);
  w.io.stdout(`${roundCompletedLine(n, report.summary, seconds, now)}\n`);
  w.metrics.completedRound(results, seconds, now);
  // Files hold the latest round; an unwritable file is said on stderr and the watch goes on.
  if (w.outputs.length > 0) await writeReport('watch', report, w.outputs, w.io);
  return { results, findings: said };
}

/** Rounds until a signal; then 130 (every pod was deleted by the round it stopped). */
export async function watchRounds(w: Watcher): Promise<number> {
  let previous: Previous | undefined;
  for (let n = 1; !w.signal.aborted; n++) {
    previous = (await round(w, n, previous)) ?? previous;
    await sleep(w.everySeconds * 1000, w.signal);
  }
  return 130;
}
