// `netprobe report RESULTS.json [-o FORMAT[=FILE]]...`: re-render a saved JSON report in any format.
// The exit code is the saved run's (exitCodeFor its summary), so CI can gate on a report made elsewhere.
// Self-contained (node:util parseArgs, its own usage errors, report-input.ts) so it depends on nothing but
// the reporters.
import type { Env, StreamInfo, TextStyle } from '../../report/color.ts';
import { FORMATS, renderReport, type Format } from '../../report/render.ts';
import { EXIT, exitCodeFor } from '../../verdict/model.ts';
import { DIFF_USAGE, runReportDiff } from './report-diff.ts';
import { loadSavedReport, parseReportArgs, writeReportOutputs, type ReportIO } from './report-input.ts';

export type { ReportIO } from './report-input.ts';

const USAGE = `netprobe report [-o FORMAT[=FILE]]... RESULTS.json
       netprobe report diff [-o FORMAT[=FILE]]... OLD.json NEW.json

Re-renders a report saved with \`netprobe run -o json=FILE\` (RESULTS.json, or - for stdin) in
any format, and exits with the saved run's exit code. \`report diff\` says what changed between
two saved reports (below).

Flags:
  -o, --output FORMAT[=FILE]  FORMAT: ${FORMATS.join(', ')}. Without FILE (or with
                              FILE -) it goes to stdout. Repeatable; at most one output goes
                              to stdout, and when none does the table still goes there.
                              Folders are created; $GITHUB_STEP_SUMMARY is appended to.
  -h, --help                  show this help

Exit codes: 0 every expectation held, 1 a leak or broken path, 2 an unreadable report, an
output that could not be written, or bad usage, 3 undecided (inconclusive results, no failures).

${DIFF_USAGE}`;

/**
 * The command with its surroundings given: `stdoutInfo` says whether stdout is a terminal (for
 * colour and width), `env` holds NO_COLOR, FORCE_COLOR, COLUMNS and GITHUB_STEP_SUMMARY.
 */
export async function runReport(args: string[], io: ReportIO, stdoutInfo: StreamInfo, env: Env, cwd = process.cwd()): Promise<number> {
  if (args[0] === 'diff') return await runReportDiff(args.slice(1), io, stdoutInfo, env, cwd);
  const parsed = parseReportArgs('report', USAGE, args, io, cwd, (paths) =>
    paths.length === 1 ? undefined : paths.length === 0 ? 'no RESULTS.json given' : `expected one RESULTS.json, got ${paths.length} paths`,
  );
  if (typeof parsed === 'number') return parsed;
  const report = await loadSavedReport('report', parsed.positionals[0] ?? '-', io, cwd);
  if (report === undefined) return EXIT.usage;
  const render = (format: Format, style: TextStyle): string => renderReport(format, report, style);
  if (!(await writeReportOutputs('report', parsed.specs, render, io, stdoutInfo, env, cwd))) return EXIT.usage;
  return exitCodeFor(report.summary);
}

export const command = {
  name: 'report',
  summary: 'render a saved JSON report as table, json, junit, tap, markdown, html or GitHub annotations',
  usage: USAGE,
  run(args: string[], io: ReportIO): Promise<number> {
    return runReport(args, io, process.stdout, process.env);
  },
};
