// Whether and how to style terminal output, decided in one place for every writer.
// Rules: FORCE_COLOR forces colour on (FORCE_COLOR=0 or =false forces it off), as in Node itself;
// otherwise a non-empty NO_COLOR turns it off (no-color.org); otherwise colour only on a TTY whose
// TERM is not `dumb`.

import { styleText } from 'node:util';

export type Env = Readonly<Record<string, string | undefined>>;

/** The parts of a stream that decide how to write to it (process.stdout and process.stderr fit). */
export interface StreamInfo {
  isTTY?: boolean;
  columns?: number;
}

export function useColor(stream: StreamInfo, env: Env = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Width used where the stream does not say (files, pipes, CI logs): `COLUMNS` if set, else 100. */
export const DEFAULT_WIDTH = 100;

export function widthOf(stream: StreamInfo, env: Env = process.env): number {
  if (stream.isTTY === true && stream.columns !== undefined && stream.columns > 0) return stream.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns >= 20 ? columns : DEFAULT_WIDTH;
}

/** How a text report should be styled for one destination. */
export interface TextStyle {
  color: boolean;
  /** Columns to wrap prose to. */
  width: number;
  /** Use symbols such as ✓ ✗ → (off on TERM=dumb). */
  unicode: boolean;
}

/** The style for writing to `stream` under `env`. */
export function styleFor(stream: StreamInfo, env: Env = process.env): TextStyle {
  return { color: useColor(stream, env), width: widthOf(stream, env), unicode: env.TERM !== 'dumb' };
}

/** The style for a file: no colour, default width, symbols. */
export const FILE_STYLE: TextStyle = { color: false, width: DEFAULT_WIDTH, unicode: true };

export interface Palette {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  magenta(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

/** A style applied unconditionally: whether to colour at all is useColor's decision, not the stream's. */
function styled(format: Parameters<typeof styleText>[0]): (text: string) => string {
  return (text) => styleText(format, text, { validateStream: false });
}

const identity = (text: string): string => text;

export function palette(color: boolean): Palette {
  if (!color) {
    return { red: identity, green: identity, yellow: identity, magenta: identity, bold: identity, dim: identity };
  }
  return { red: styled('red'), green: styled('green'), yellow: styled('yellow'), magenta: styled('magenta'), bold: styled('bold'), dim: styled('dim') };
}
