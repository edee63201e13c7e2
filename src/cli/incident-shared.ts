// What `netprobe isolation` and `netprobe matrix` share: the probe flags, generated suite text loaded
// through the normal loader (so what is written is what runs), and one probing round with cleanup.
import type { ClusterTarget } from '../cluster/connect.ts';
import type { RunOutcome, RunSettings } from '../run/run-suites.ts';
import { loadGeneratedSuite } from '../incident/common.ts';
import { expandSuites } from '../suite/index.ts';
import type { Case } from '../suite/model.ts';
import { createProgress } from '../report/progress.ts';
import { ClusterUnreachableError } from '../cluster/errors.ts';

// The probe flags are shared with `run`: one definition in ../probe-flags.ts.
export { connectFor, PROBE_FLAGS_USAGE, PROBE_OPTIONS, positiveSeconds, probeSettings } from './probe-flags.ts';

/** Generated suite text -> cases, through the normal loader (see loadGeneratedSuite). */
export function casesFromYaml(yaml: string, file: string): Case[] {
  return expandSuites(loadGeneratedSuite(yaml, file));
}

/**
 * What makes two notes the same across rounds: the words, not the counts (free pod slots change every
 * round). Only standalone numbers: digits in a name (`team-2`, `node1`) still tell notes apart.
 */
export function noteKey(line: string): string {
  return line.replace(/(?<![\w.-])\d+(?![\w-])/g, '#');
}

/**
 * One probing round with a progress line. Returns the outcome, or a string saying why the cluster could
 * not be probed (unreachable, permissions); other errors are thrown. `said` keeps the notes said in earlier
 * rounds, so a watch says each once, not every round.
 */
export async function probeRound(target: ClusterTarget, cases: readonly Case[], settings: RunSettings, signal: AbortSignal, quiet: boolean, said?: Set<string>): Promise<RunOutcome | string> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { InputLimitError, newRunId, PermissionError, runCases } = await import('../run/run-suites.ts');
  const progress = createProgress({ enabled: !quiet });
  const onNote = (line: string): void => {
    if (said?.has(noteKey(line))) return;
    said?.add(noteKey(line));
    // Said with --quiet too, as `run` says them: only the progress line goes.
    if (quiet) process.stderr.write(`netprobe: ${line}\n`);
    else progress.log(`netprobe: ${line}`);
  };
  try {
    return await runCases(target, cases, { ...settings, onProgress: (state) => progress.update(state), onNote }, signal, newRunId());
  } catch (err) {
    if (err instanceof PermissionError || err instanceof ClusterUnreachableError || err instanceof InputLimitError) return err.message;
    throw err;
  } finally {
    progress.stop();
  }
}

/** Splits repeatable, comma-separated flag values. */
export function listValues(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}
