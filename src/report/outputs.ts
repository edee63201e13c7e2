// The -o/--output FORMAT[=FILE] option: parse the specs, then write every one of them.
//
// Rules (docs/report-format.md): FORMAT is one of FORMATS; FILE `-` or no FILE means stdout. At most one
// output may go to stdout, so stdout stays one parseable document. When none goes there, the table still
// does, so a CI log always shows the result. Two outputs may not name the same file. Files get their parent
// folders and are replaced whole (written beside, then renamed), except the files named by
// $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT, which are appended to as GitHub asks, so what other tools
// (and other steps' summaries) wrote there stays.
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Report } from '../verdict/model.ts';
import { FILE_STYLE, styleFor, type Env, type StreamInfo, type TextStyle } from './color.ts';
import { FORMATS, isFormat, renderReport, type Format } from './render.ts';

export interface OutputSpec {
  format: Format;
  /** Where to write, as given; undefined for stdout. */
  file?: string;
}

/** A spec that cannot be used; its message is meant for the user (a usage error, exit 2). */
export class OutputSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputSpecError';
  }
}

/** Parses one `FORMAT[=FILE]`. */
export function parseOutputSpec(value: string): OutputSpec {
  const eq = value.indexOf('=');
  const format = eq === -1 ? value : value.slice(0, eq);
  const file = eq === -1 ? undefined : value.slice(eq + 1);
  if (!isFormat(format)) {
    const shown = format === '' ? 'an empty format' : `unknown output format "${format}"`;
    throw new OutputSpecError(`-o ${value}: ${shown}; expected one of ${FORMATS.join(', ')}, optionally =FILE`);
  }
  if (file === '') throw new OutputSpecError(`-o ${value}: no file after "="; give ${format}=FILE, or ${format} alone for stdout`);
  return file === undefined || file === '-' ? { format } : { format, file };
}

/**
 * Parses every -o value, in order; with none, the table on stdout. Throws OutputSpecError when a format
 * is unknown, two outputs go to stdout, or two name the same file (relative to `cwd`).
 */
export function parseOutputSpecs(values: readonly string[], cwd: string = process.cwd()): OutputSpec[] {
  const specs = values.map(parseOutputSpec);
  const toStdout = specs.filter((s) => s.file === undefined);
  if (toStdout.length > 1) {
    const names = toStdout.map((s) => s.format).join(' and ');
    throw new OutputSpecError(`-o: ${names} would both go to stdout; only one output may, give the others a file (e.g. -o ${toStdout[1]?.format}=FILE)`);
  }
  const files = new Map<string, string>();
  for (const s of specs) {
    if (s.file === undefined) continue;
    const full = resolve(cwd, s.file);
    const earlier = files.get(full);
    if (earlier !== undefined) throw new OutputSpecError(`-o: ${earlier} and ${s.format}=${s.file} write the same file; give each output its own file`);
    files.set(full, `${s.format}=${s.file}`);
  }
  if (toStdout.length === 0) specs.unshift({ format: 'table' });
  return specs;
}

/** Where stdout output goes: process.stdout fits, as does `{ write: io.stdout, isTTY, columns }`. */
export interface OutputStream extends StreamInfo {
  write(text: string): unknown;
}

export interface WriteOptions {
  stdout: OutputStream;
  env?: Env;
  cwd?: string;
}

/** Outputs that could not be written; each problem is `FILE: reason`. */
export class OutputWriteError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`could not write ${problems.length === 1 ? 'an output' : `${problems.length} outputs`}:\n  ${problems.join('\n  ')}`);
    this.name = 'OutputWriteError';
    this.problems = problems;
  }
}

async function writeFileWhole(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Renders and writes every spec: files first (all are tried; failures are gathered into one
 * OutputWriteError thrown at the end), then stdout. Returns the absolute paths written.
 */
export async function writeOutputs(report: Report, specs: readonly OutputSpec[], options: WriteOptions): Promise<string[]> {
  return await writeRendered(specs, (format, style) => renderReport(format, report, style), options);
}

/** What writeRendered writes: the text of one format, in a style (colour, width) for where it goes. */
export type Renderer = (format: Format, style: TextStyle) => string;

/** writeOutputs for any document that renders to every format (a report, a diff of two reports). */
export async function writeRendered(specs: readonly OutputSpec[], render: Renderer, options: WriteOptions): Promise<string[]> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const appendTo = new Set([env.GITHUB_STEP_SUMMARY, env.GITHUB_OUTPUT].flatMap((f) => (f ? [resolve(cwd, f)] : [])));
  const written: string[] = [];
  const problems: string[] = [];
  for (const spec of specs) {
    if (spec.file === undefined) continue;
    const full = resolve(cwd, spec.file);
    const text = render(spec.format, FILE_STYLE);
    try {
      if (appendTo.has(full)) {
        await mkdir(dirname(full), { recursive: true });
        await appendFile(full, text);
      } else {
        await writeFileWhole(full, text);
      }
      written.push(full);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push(`${spec.file}: ${reason}`);
    }
  }
  const toStdout = specs.find((s) => s.file === undefined);
  if (toStdout !== undefined) {
    options.stdout.write(render(toStdout.format, styleFor(options.stdout, env)));
  }
  if (problems.length > 0) throw new OutputWriteError(problems);
  return written;
}
