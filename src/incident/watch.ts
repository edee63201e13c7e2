// --watch: what changed between two rounds of the same check. A path "opens" when traffic now gets
// through and "closes" when it is now blocked; paths that appear or disappear (pods came or went) are
// said too. Pure.
import type { Observed, Result, Status } from '../verdict/model.ts';

export interface PathChange {
  name: string;
  kind: 'opened' | 'closed' | 'unknown' | 'new' | 'gone';
  before?: { observed: Observed; status: Status };
  after?: { observed: Observed; status: Status };
  /** The result after the change (absent when gone). */
  result?: Result;
}

export function pathChanges(previous: readonly Result[], next: readonly Result[]): PathChange[] {
  const before = new Map(previous.map((r) => [r.name, r]));
  const changes: PathChange[] = [];
  for (const r of next) {
    const b = before.get(r.name);
    before.delete(r.name);
    const after = { observed: r.observed, status: r.status };
    if (b === undefined) {
      changes.push({ name: r.name, kind: 'new', after, result: r });
      continue;
    }
    if (b.observed === r.observed) continue;
    const kind = r.observed === 'allowed' ? 'opened' : r.observed === 'denied' ? 'closed' : 'unknown';
    changes.push({ name: r.name, kind, before: { observed: b.observed, status: b.status }, after, result: r });
  }
  for (const b of before.values()) changes.push({ name: b.name, kind: 'gone', before: { observed: b.observed, status: b.status } });
  return changes;
}

function clock(at: Date): string {
  return at.toISOString().slice(11, 19);
}

/** One line per change: `15:42:07 OPENED  out api -> db:5432 (leak: connected to ...)`. */
export function formatChange(c: PathChange, at: Date): string {
  const word = c.kind.toUpperCase().padEnd(7);
  const r = c.result;
  const why = r === undefined ? `was ${c.before?.observed}` : `${r.status}: ${r.detail.split('\n')[0]}`;
  return `${clock(at)} ${word} ${c.name} (${why})`;
}

/** The one-line state of a round: holds, leaks, or undecided. */
export function roundLine(results: readonly Result[], at: Date, round: number): string {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  const leaks = count('leak');
  const broken = count('broken');
  const unknown = count('inconclusive');
  const state = leaks + broken > 0 ? `DOES NOT HOLD: ${leaks} leak${leaks === 1 ? '' : 's'}, ${broken} kept path${broken === 1 ? '' : 's'} blocked` : unknown > 0 ? `UNDECIDED: ${unknown} inconclusive` : 'holds';
  return `${clock(at)} round ${round}: ${state} (${results.length} paths)`;
}
