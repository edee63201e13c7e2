// What `netprobe report` and `netprobe report diff` share: their flags (-o, -h), reading a saved JSON
// report from a file or stdin (`-`, checked against the schema), and writing the outputs. A problem is
// one line on stderr and exit 2.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Env, StreamInfo } from '../../report/color.ts';
import { parseReport, ReportFormatError } from '../../report/load.ts';
import { OutputSpecError, OutputWriteError, parseOutputSpecs, writeRendered, type OutputSpec, type Renderer } from '../../report/outputs.ts';
import { EXIT, type Report } from '../../verdict/model.ts';

/** What the report commands write to (main's CliIO has this shape). */
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

/** The report in `file` (relative to `cwd`), or undefined after saying on stderr why it cannot be read. */
export async function loadSavedReport(name: string, file: string, io: ReportIO, cwd: string): Promise<Report | undefined> {
  let text: string;
  try {
    text = await readInput(file === '-' ? file : resolve(cwd, file));
  } catch (error) {
    io.stderr(`netprobe ${name}: cannot read ${file}: ${reason(error)}\n`);
    return undefined;
  }
  try {
    return parseReport(text, file === '-' ? 'stdin' : file);
  } catch (error) {
    if (!(error instanceof ReportFormatError)) throw error;
    io.stderr(`netprobe ${name}: ${error.message}\n`);
    return undefined;
  }
}

export interface ReportArgs {
  positionals: string[];
  specs: OutputSpec[];
}

/**
 * Parses the flags; `check` says what is wrong with the positionals, if anything. Returns the exit code
 * instead when the command is already done: help printed (0) or a usage error (2).
 */
export function parseReportArgs(name: string, usage: string, args: string[], io: ReportIO, cwd: string, check: (positionals: string[]) => string | undefined): ReportArgs | number {
  const usageError = (message: string): number => {
    io.stderr(`netprobe ${name}: ${message}\n\n${usage}`);
    return EXIT.usage;
  };
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { output: { type: 'string', short: 'o', multiple: true }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    return usageError((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '');
  }
  if (parsed.values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  const problem = check(parsed.positionals);
  if (problem !== undefined) return usageError(problem);
  try {
    return { positionals: parsed.positionals, specs: parseOutputSpecs(parsed.values.output ?? [], cwd) };
  } catch (error) {
    if (error instanceof OutputSpecError) return usageError(error.message);
    throw error;
  }
}

/** Writes every output; false (after saying why on stderr) when some could not be written. */
export async function writeReportOutputs(name: string, specs: readonly OutputSpec[], render: Renderer, io: ReportIO, stdoutInfo: StreamInfo, env: Env, cwd: string): Promise<boolean> {
  try {
    await writeRendered(specs, render, { stdout: { write: io.stdout, isTTY: stdoutInfo.isTTY, columns: stdoutInfo.columns }, env, cwd });
    return true;
  } catch (error) {
    if (!(error instanceof OutputWriteError)) throw error;
    io.stderr(`netprobe ${name}: ${error.message}\n`);
    return false;
  }
}
