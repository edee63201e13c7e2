// Retrying API calls that failed for a passing reason: the API server throttled us (429), had a
// transient failure (500, 502, 503, 504), or the connection broke (reset, refused, timed out). Capped
// exponential backoff with jitter, Retry-After honoured, all within a time budget and an AbortSignal.
import { sleep } from '../util/sleep.ts';

export interface RetryOptions {
  /** Stop retrying once this is aborted (the run's Ctrl-C); the last error is thrown. */
  signal?: AbortSignal;
  /** No retry starts later than this many ms after the first attempt. Default RETRY_BUDGET_MS. */
  budgetMs?: number;
}

/** Long enough to ride out an API server restart or a burst of throttling, short next to a run. */
export const RETRY_BUDGET_MS = 30_000;
const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  headers?: unknown;
  cause?: unknown;
}

function statusOf(err: unknown): number | undefined {
  const code = (err as ErrorLike | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A broken connection, however deep the library nested it (undici: TypeError "fetch failed" with a cause). */
function isConnectionError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as ErrorLike;
  if (typeof e.code === 'string' && RETRY_ERRNO.has(e.code)) return true;
  if (typeof e.message === 'string' && /socket hang up|other side closed/i.test(e.message)) return true;
  return isConnectionError(e.cause, depth + 1);
}

/** Whether trying the same call again may succeed. */
export function isRetryable(err: unknown): boolean {
  const status = statusOf(err);
  return status !== undefined ? RETRY_STATUS.has(status) : isConnectionError(err);
}

/** Whether the call may have reached the API server and taken effect (so a retried create can meet itself). */
function mayHaveApplied(err: unknown): boolean {
  return statusOf(err) !== 429 && !isConnectionRefused(err);
}

function isConnectionRefused(err: unknown): boolean {
  const e = err as ErrorLike | undefined;
  return e?.code === 'ECONNREFUSED' || (e?.cause as ErrorLike | undefined)?.code === 'ECONNREFUSED';
}

/** Retry-After in ms (seconds form only, as the API server sends it), or undefined. */
export function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as ErrorLike | undefined)?.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after');
  const seconds = Number(entry?.[1]);
  return entry && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** The wait before retry number `attempt` (1-based): exponential, capped, with jitter (50-100 %). */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface RetryHooks {
  /** Called before each retry (for counting). */
  onRetry?: (err: unknown, attempt: number) => void;
  /**
   * A failure of a later attempt that may be the echo of an earlier one that took effect (a create
   * answered 409 because the first try did create it): return a value to count as success.
   */
  settleEcho?: (err: unknown) => { value: unknown } | undefined;
}

export async function withRetry<T>(call: () => Promise<T>, opts: RetryOptions = {}, hooks: RetryHooks = {}): Promise<T> {
  const started = Date.now();
  const budget = opts.budgetMs ?? RETRY_BUDGET_MS;
  let ambiguous = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (ambiguous) {
        const echo = hooks.settleEcho?.(err);
        if (echo) return echo.value as T;
      }
      if (!isRetryable(err) || opts.signal?.aborted) throw err;
      const wait = Math.max(retryAfterMs(err) ?? 0, backoffMs(attempt));
      if (Date.now() - started + wait > budget) throw err;
      ambiguous ||= mayHaveApplied(err);
      hooks.onRetry?.(err, attempt);
      await sleep(wait, opts.signal);
      if (opts.signal?.aborted) throw err;
    }
  }
}
