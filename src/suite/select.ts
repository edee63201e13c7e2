// `--only NAME|TAG`: picks expectations by name or tag. Values are comma-separated and may repeat;
// `*` and `?` are globs; `name:` or `tag:` restricts a pattern to one of the two.
import type { Expectation, Suite } from './model.ts';

export interface OnlyPattern {
  text: string;
  field: 'any' | 'name' | 'tag';
  test: (s: string) => boolean;
}

// Hand-written, not path.matchesGlob: names and tags are not paths (`team/payments`), and `*` must match `/`.
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** `--only` values (each possibly comma-separated) -> patterns. Empty entries are ignored. */
export function parseOnly(values: readonly string[]): OnlyPattern[] {
  const out: OnlyPattern[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const text = part.trim();
      if (text === '') continue;
      const m = /^(name|tag):(.*)$/.exec(text);
      const field = m ? (m[1] as 'name' | 'tag') : 'any';
      const pattern = m ? m[2]!.trim() : text;
      const re = /[*?]/.test(pattern) ? globToRegExp(pattern) : undefined;
      out.push({ text, field, test: re ? (s) => re.test(s) : (s) => s === pattern });
    }
  }
  return out;
}

function matches(p: OnlyPattern, e: Expectation): boolean {
  if (p.field !== 'tag' && p.test(e.name)) return true;
  if (p.field !== 'name' && e.tags.some(p.test)) return true;
  return false;
}

export interface Selection {
  expectations: Expectation[];
  /** Patterns that matched nothing (a typo the caller should report). */
  unmatched: string[];
}

/** Keeps expectations that match any pattern; no patterns keeps everything. Order is preserved. */
export function selectExpectations(expectations: readonly Expectation[], only: readonly OnlyPattern[] | readonly string[]): Selection {
  const patterns = only.length > 0 && typeof only[0] === 'string' ? parseOnly(only as readonly string[]) : (only as readonly OnlyPattern[]);
  if (patterns.length === 0) return { expectations: [...expectations], unmatched: [] };
  const used = new Set<OnlyPattern>();
  const selected = expectations.filter((e) => {
    let hit = false;
    for (const p of patterns) {
      if (matches(p, e)) {
        used.add(p);
        hit = true;
      }
    }
    return hit;
  });
  return { expectations: selected, unmatched: patterns.filter((p) => !used.has(p)).map((p) => p.text) };
}

/** The same over suites: suites keep only selected expectations; suites left empty are dropped. */
export function selectSuites(suites: readonly Suite[], only: readonly string[]): { suites: Suite[]; unmatched: string[] } {
  const all = suites.flatMap((s) => s.expectations);
  const { expectations, unmatched } = selectExpectations(all, parseOnly(only));
  const keep = new Set(expectations);
  const out = suites.map((s) => ({ ...s, expectations: s.expectations.filter((e) => keep.has(e)) })).filter((s) => s.expectations.length > 0);
  return { suites: out, unmatched };
}
