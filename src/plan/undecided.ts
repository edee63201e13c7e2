// Reasons a case cannot be decided that the plan finds, each with the step that would decide it.
import type { Undecided } from './types.ts';

/** Something the suite names that the cluster does not have: creating it, or naming what exists, decides it. */
export function missing(what: string): Undecided {
  return { reason: `${what} does not exist`, decideBy: `create ${what}, or name one that exists in the suite` };
}

export const GIVE_A_PORT = 'give the expectation a port number';
