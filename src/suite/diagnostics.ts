// Diagnostics: one problem in one file, printed as a single line `file:line:col: message`.
// Messages say what was found and what was expected. Lines and columns are 1-based. A message that quotes
// a URL shows it redacted (userinfo, query values): diagnostics land in CI logs.
import { redactText } from '../util/redact.ts';
import type { SourcePos } from './model.ts';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function diagnostic(pos: SourcePos, message: string): Diagnostic {
  return { file: pos.file, line: pos.line, col: pos.col, message: redactText(message) };
}

/** A problem with a whole file or path (it does not exist, is binary, too large, ...): points at 1:1. */
export function fileDiagnostic(file: string, message: string): Diagnostic {
  return { file, line: 1, col: 1, message: redactText(message) };
}

export function formatDiagnostic(d: Diagnostic): string {
  // Keep it one line whatever the message holds.
  const message = d.message.replace(/\s*\r?\n\s*/g, ' ');
  return `${d.file}:${d.line}:${d.col}: ${message}`;
}

export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/** Sorted by file (in the order the files were loaded), then line, then column. Stable. */
export function sortDiagnostics(list: readonly Diagnostic[], fileOrder: readonly string[] = []): Diagnostic[] {
  const rank = new Map(fileOrder.map((f, i) => [f, i]));
  return [...list].sort((a, b) => {
    const ra = rank.get(a.file) ?? Number.MAX_SAFE_INTEGER;
    const rb = rank.get(b.file) ?? Number.MAX_SAFE_INTEGER;
    if (ra !== rb) return ra - rb;
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    return a.line - b.line || a.col - b.col;
  });
}

/** Edit distance with adjacent transpositions counted as one edit (so `expcet` is one step from `expect`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const prev = d[i - 1]!;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      row[j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate to `found`, if it is close enough to be a likely typo. */
export function suggest(found: string, candidates: readonly string[]): string | undefined {
  const lower = found.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(lower, c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(found.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** "`a`, `b` or `c`" */
export function oneOf(values: readonly string[]): string {
  const q = values.map((v) => `\`${v}\``);
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** Renders a YAML value for a message: strings quoted, long values shortened. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (typeof value === 'string') {
    const s = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string ${JSON.stringify(s)}`;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return `number ${String(value)}`;
  if (typeof value === 'boolean') return `boolean ${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
