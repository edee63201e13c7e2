// A progress line for long runs, e.g. `probing 12/40 · 3 pods starting`, on stderr.
// On a TTY: one line, redrawn in place (at most every `redrawMs`), cleared by stop() so the report that
// follows starts on a clean line. Not a TTY (CI logs): plain lines only when the phase changes or at most
// every `intervalMs` (10 s), so the log stays readable; no carriage returns or escape codes.
import type { StreamInfo } from './color.ts';
import { oneLine, truncate } from './text.ts';

export interface ProgressState {
  /** What is happening: `resolving`, `starting pods`, `settling`, `probing`, `cleaning up`... */
  phase: string;
  done?: number;
  total?: number;
  /** Pods created and not yet ready. */
  podsStarting?: number;
  /** The run goes in waves: which one this is. */
  wave?: { index: number; count: number };
}

export interface Progress {
  /** Reports the current state; cheap to call for every probe. */
  update(state: ProgressState): void;
  /** Prints a whole line (a warning, say) without tearing the progress line. */
  log(line: string): void;
  /** Ends the progress display: clears the line on a TTY; prints the last state elsewhere if unprinted. */
  stop(): void;
}

export interface ProgressStream extends StreamInfo {
  write(chunk: string): boolean;
}

export interface ProgressOptions {
  /** Where to draw; process.stderr by default. */
  stream?: ProgressStream;
  /** Draw nothing at all (e.g. --quiet). */
  enabled?: boolean;
  /** Not a TTY: least time between two plain lines of the same phase. Default 10,000 ms. */
  intervalMs?: number;
  /** TTY: least time between two redraws. Default 100 ms. */
  redrawMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** `probing 12/40 · 3 pods starting`, after `wave 2/5 · ` in a run that goes in waves. */
export function formatProgress(state: ProgressState): string {
  let text = state.wave ? `wave ${state.wave.index}/${state.wave.count} · ${oneLine(state.phase)}` : oneLine(state.phase);
  if (state.total !== undefined) text += ` ${state.done ?? 0}/${state.total}`;
  else if (state.done !== undefined) text += ` ${state.done}`;
  if (state.podsStarting !== undefined && state.podsStarting > 0) {
    text += ` · ${state.podsStarting} ${state.podsStarting === 1 ? 'pod' : 'pods'} starting`;
  }
  return text;
}

const CLEAR_LINE = '\r\u001b[2K';

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  if (options.enabled === false) return { update() {}, log() {}, stop() {} };

  if (stream.isTTY === true) {
    const redrawMs = options.redrawMs ?? 100;
    let shown = '';
    let latest = '';
    let lastDraw = -Infinity;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const draw = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const width = Math.max(10, (stream.columns ?? 80) - 1);
      shown = truncate(latest, width);
      lastDraw = now();
      stream.write(`${CLEAR_LINE}${shown}`);
    };
    return {
      update(state) {
        if (stopped) return;
        latest = formatProgress(state);
        if (latest === shown) return;
        if (now() - lastDraw >= redrawMs) draw();
        else if (timer === undefined) {
          timer = setTimeout(draw, redrawMs);
          timer.unref();
        }
      },
      log(line) {
        stream.write(`${CLEAR_LINE}${line}\n`);
        if (!stopped && shown !== '') stream.write(shown);
      },
      stop() {
        if (stopped) return;
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        if (shown !== '') stream.write(CLEAR_LINE);
      },
    };
  }

  const intervalMs = options.intervalMs ?? 10_000;
  let lastPhase: string | undefined;
  let lastText = '';
  let lastPrint = -Infinity;
  let pending: string | undefined;
  let stopped = false;
  const print = (text: string): void => {
    stream.write(`${text}\n`);
    lastText = text;
    lastPrint = now();
    pending = undefined;
  };
  return {
    update(state) {
      if (stopped) return;
      const text = formatProgress(state);
      if (text === lastText) return;
      if (state.phase !== lastPhase || now() - lastPrint >= intervalMs) print(text);
      else pending = text;
      lastPhase = state.phase;
    },
    log(line) {
      stream.write(`${line}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (pending !== undefined) print(pending);
    },
  };
}
