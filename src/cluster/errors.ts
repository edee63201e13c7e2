// API failures as one line a person can act on.
export function apiErrorMessage(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string; cause?: { code?: string } };
  if (typeof e?.code === 'number') {
    let message = '';
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      message = (body as { message?: string })?.message ?? '';
    } catch {
      message = typeof e.body === 'string' ? e.body : '';
    }
    return `HTTP ${e.code}${message ? `: ${message}` : ''}`;
  }
  const code = e?.cause?.code ?? (e as { code?: string })?.code;
  if (code === 'ECONNREFUSED') return 'the API server refused the connection (is the cluster up?)';
  if (code === 'ENOTFOUND') return 'the API server name does not resolve';
  return e?.message ?? String(err);
}

export function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}

/** The object changed since it was read (optimistic concurrency): read it again and retry. */
export function isConflict(err: unknown): boolean {
  return (err as { code?: number })?.code === 409;
}

/** Reaching the API failed (as opposed to the API saying no): the run cannot decide anything. */
export class ClusterUnreachableError extends Error {}
