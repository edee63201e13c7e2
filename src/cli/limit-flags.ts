// --max-cases (validate, run, predict): how many cases the suites may expand into before netprobe
// refuses them with a positioned error instead of running out of memory.
import { DEFAULT_MAX_CASES } from '../suite/limits.ts';
import { UsageError } from './main.ts';

export const LIMIT_OPTIONS = { 'max-cases': { type: 'string' } } as const;

export const LIMIT_FLAGS_USAGE = `  --max-cases N              refuse suites that expand into more cases (default ${DEFAULT_MAX_CASES.toLocaleString('en-US')})`;

/** A whole number of at least 1 (underscores allowed: 1_000_000), or `fallback` when the flag is absent. */
export function countFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} ${value}: expected a whole number of at least 1`);
  return n;
}

export function maxCasesFrom(values: { 'max-cases'?: string | undefined }): number {
  return countFlag(values['max-cases'], '--max-cases', DEFAULT_MAX_CASES);
}
