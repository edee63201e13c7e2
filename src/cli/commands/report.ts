// `netprobe report RESULTS.json [-o FORMAT[=FILE]]...`: re-render a saved JSON report in any format.
// The exit code is the saved run's (exitCodeFor its summary), so CI can gate on a report made elsewhere.
// Self-contained (node:util parseArgs, its own usage errors) so it depends on nothing but the reporters.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Env, StreamInfo } from '../../report/color.ts';
import { parseReport, ReportFormatError } from '../../report/load.ts';
import { OutputSpecError, OutputWriteError, parseOutputSpecs, writeOutputs } from '../../report/outputs.ts';
import { FORMATS } from '../../report/render.ts';
import { EXIT, exitCodeFor } from '../../verdict/model.ts';

const USAGE = `netprobe report [-o FORMAT[=FILE]]... RESULTS.json

Re-renders a report saved with \`netprobe run -o json=FILE\` (RESULTS.json, or - for stdin) in
any format, and exits with the saved run's exit code.

Flags:
  -o, --output FORMAT[=FILE]  FORMAT: ${FORMATS.join(', ')}. Without FILE (or with
                              FILE -) it goes to stdout. Repeatable; at most one output goes
                              to stdout, and when none does the table still goes there.
                              Folders are created; $GITHUB_STEP_SUMMARY is appended to.
  -h, --help                  show this help

Exit codes: 0 every expectation held, 1 a leak or broken path, 2 an unreadable report, an
output that could not be written, or bad usage, 3 undecided (inconclusive results, no failures).
`;

/** What the command writes to (main's CliIO has this shape). */
export interface ReportIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

async function readInput(file: string): Promise<string> {
  if (file !== '-') return await readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

function reason(error: unknown): string {
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return 'no such file';
  if (error instanceof Error && 'code' in error && error.code === 'EISDIR') return 'is a folder, not a file';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The command with its surroundings given: `stdoutInfo` says whether stdout is a terminal (for
 * colour and width), `env` holds NO_COLOR, FORCE_COLOR, COLUMNS and GITHUB_STEP_SUMMARY.
 */
export async function runReport(args: string[], io: ReportIO, stdoutInfo: StreamInfo, env: Env, cwd = process.cwd()): Promise<number> {
  const usageError = (message: string): number => {
    io.stderr(`netprobe report: ${message}\n\n${USAGE}`);
    return EXIT.usage;
  };
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { output: { type: 'string', short: 'o', multiple: true }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    return usageError((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '');
  }
  if (parsed.values.help === true) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  if (parsed.positionals.length !== 1) {
    return usageError(parsed.positionals.length === 0 ? 'no RESULTS.json given' : `expected one RESULTS.json, got ${parsed.positionals.length} paths`);
  }
  const file = parsed.positionals[0] ?? '-';
  let specs;
  try {
    specs = parseOutputSpecs(parsed.values.output ?? [], cwd);
  } catch (error) {
    if (error instanceof OutputSpecError) return usageError(error.message);
    throw error;
  }
  let text: string;
  try {
    text = await readInput(file);
  } catch (error) {
    io.stderr(`netprobe report: cannot read ${file}: ${reason(error)}\n`);
    return EXIT.usage;
  }
  let report;
  try {
    report = parseReport(text, file === '-' ? 'stdin' : file);
  } catch (error) {
    if (!(error instanceof ReportFormatError)) throw error;
    io.stderr(`netprobe report: ${error.message}\n`);
    return EXIT.usage;
  }
  try {
    await writeOutputs(report, specs, { stdout: { write: io.stdout, isTTY: stdoutInfo.isTTY, columns: stdoutInfo.columns }, env, cwd });
  } catch (error) {
    if (!(error instanceof OutputWriteError)) throw error;
    io.stderr(`netprobe report: ${error.message}\n`);
    return EXIT.usage;
  }
  return exitCodeFor(report.summary);
}

export const command = {
  name: 'report',
  summary: 'render a saved JSON report as table, json, junit, tap, markdown or html',
  usage: USAGE,
  run(args: string[], io: ReportIO): Promise<number> {
    return runReport(args, io, process.stdout, process.env);
  },
};
