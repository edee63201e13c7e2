// netprobe doctor's judgement, pure: polling a probe until it changes, and what the checks add up to
// (the report lines and the exit code).
import { EXIT } from '../verdict/model.ts';

/** One canary probe: `open` when it connected, `blocked` on a timeout or rejection, `error` otherwise. */
export type ProbeState = 'open' | 'blocked' | 'error';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface PollResult {
  /** Milliseconds from the start until the first probe in the wanted state (confirmed); undefined: never. */
  afterMs?: number;
  probes: number;
  /** The last state seen. */
  last?: ProbeState;
}

/**
 * Probes until `want` is seen `confirm` times in a row (the time is that of the first of them), or until
 * `deadlineMs` has passed. `aborted` stops early.
 */
export async function pollUntil(
  probe: () => Promise<ProbeState>,
  want: ProbeState,
  opts: { deadlineMs: number; intervalMs: number; confirm?: number; aborted?: () => boolean },
  clock: Clock,
): Promise<PollResult> {
  const start = clock.now();
  const confirm = opts.confirm ?? 2;
  let streak = 0;
  let firstAt = 0;
  let probes = 0;
  let last: ProbeState | undefined;
  while (!(opts.aborted?.() ?? false)) {
    const at = clock.now();
    last = await probe();
    probes++;
    if (last === want) {
      if (streak === 0) firstAt = at;
      streak++;
      if (streak >= confirm) return { afterMs: firstAt - start, probes, last };
    } else streak = 0;
    if (clock.now() - start > opts.deadlineMs) break;
    await clock.sleep(opts.intervalMs);
  }
  return { probes, ...(last !== undefined ? { last } : {}) };
}

export interface DirectionCheck {
  /** true: the deny policy blocked the probe; false: the probe stayed open until the deadline; undefined: unknown. */
  enforced?: boolean;
  seconds?: number;
  /** Why it is unknown, or a note. */
  note?: string;
}

export interface DoctorFacts {
  context: string;
  server: string;
  /** Undefined: the API did not answer. */
  version?: string;
  unreachable?: string;
  /** Permissions this identity lacks, described, with what needs them. */
  missing: string[];
  /** Why the canary did not run or could not finish its baseline; undefined when it did. */
  canaryProblem?: string;
  ingress?: DirectionCheck;
  egress?: DirectionCheck;
  deadlineSeconds: number;
  /** The canary namespace and whether it was deleted. */
  namespace?: string;
  cleaned?: boolean;
}

function direction(name: string, d: DirectionCheck | undefined, deadline: number): string {
  if (d?.enforced === true) return `${name} yes (${(d.seconds ?? 0).toFixed(1)} s)`;
  if (d?.enforced === false) return `${name} no (still open after ${deadline} s)`;
  return `${name} unknown${d?.note ? ` (${d.note})` : ''}`;
}

/** The verdict: 0 when both directions are enforced, 1 when one is not, 3 when doctor could not tell. */
export function decide(f: DoctorFacts): { code: number; lines: string[] } {
  const lines: string[] = [];
  lines.push(`cluster: context ${f.context} (${f.server})`);
  if (f.version === undefined) {
    lines.push(`API: unreachable: ${f.unreachable ?? 'no answer'}`);
    return { code: EXIT.undecided, lines };
  }
  lines.push(`API: reachable, Kubernetes ${f.version}`);
  if (f.missing.length === 0) lines.push('permissions: everything netprobe uses is allowed');
  else {
    lines.push(`permissions: ${f.missing.length} missing`);
    for (const m of f.missing) lines.push(`  - ${m}`);
  }
  if (f.canaryProblem !== undefined) {
    lines.push(`canary: ${f.canaryProblem}`);
  }
  if (f.ingress !== undefined || f.egress !== undefined || f.canaryProblem === undefined) {
    lines.push(`enforces NetworkPolicy: ${direction('ingress', f.ingress, f.deadlineSeconds)}, ${direction('egress', f.egress, f.deadlineSeconds)}`);
  }
  if (f.namespace !== undefined) {
    lines.push(f.cleaned === false ? `cleanup: could not delete namespace ${f.namespace}; run \`netprobe clean\`` : `cleanup: namespace ${f.namespace} deleted`);
  }
  const dirs = [f.ingress, f.egress];
  let code: number;
  if (dirs.some((d) => d?.enforced === false)) code = EXIT.failed;
  else if (dirs.every((d) => d?.enforced === true)) code = EXIT.ok;
  else code = EXIT.undecided;
  if (code === EXIT.failed) {
    lines.push('verdict: this cluster does not enforce NetworkPolicy everywhere: every deny a suite expects may leak (a CNI without a policy engine, or one that is not running)');
  } else if (code === EXIT.ok) {
    lines.push('verdict: NetworkPolicy is enforced on ingress and egress');
  } else {
    lines.push('verdict: could not tell whether NetworkPolicy is enforced');
  }
  return { code, lines };
}
