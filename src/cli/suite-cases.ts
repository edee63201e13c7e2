// Suite files to cases for the commands that probe them (run, watch): input first, so nothing touches the
// cluster until every file is valid.
import { caseLimitDiagnostics, expandSuites, formatDiagnostic, loadSuites, selectSuites } from '../suite/index.ts';
import type { Case } from '../suite/model.ts';
import { maxCasesFrom } from './limit-flags.ts';
import type { CliIO } from './main.ts';
import { UsageError } from './main.ts';

/** The cases of the suites under `paths` (--only, --max-cases, --timeout applied). Undefined: printed, exit 2. */
export async function loadCases(name: string, values: { only?: string[] | undefined; 'max-cases'?: string | undefined }, paths: string[], timeoutSeconds: number | undefined, io: CliIO): Promise<Case[] | undefined> {
  const loaded = await loadSuites(paths);
  const { suites, unmatched } = selectSuites(loaded.suites, values.only ?? []);
  if (loaded.diagnostics.length === 0 && unmatched.length > 0) throw new UsageError(`--only ${unmatched.join(', ')} matched no expectation name or tag`);
  const problems = loaded.diagnostics.length > 0 ? loaded.diagnostics : caseLimitDiagnostics(suites, maxCasesFrom(values));
  if (problems.length > 0) {
    for (const d of problems) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr(`netprobe ${name}: invalid input, nothing was created\n`);
    return undefined;
  }
  if (timeoutSeconds !== undefined) for (const s of suites) for (const e of s.expectations) e.timeoutSeconds = timeoutSeconds;
  return expandSuites(suites);
}
