// What `netprobe isolation` and `netprobe matrix` share: the probe flags, generated suite text loaded
// through the normal loader (so what is written is what runs), and one probing round with cleanup.
import type { ClusterTarget } from '../../cluster/connect.ts';
import type { RunOutcome, RunSettings } from '../../run/run-suites.ts';
import { loadGeneratedSuite } from '../../incident/common.ts';
import { expandSuites } from '../../suite/index.ts';
import type { Case } from '../../suite/model.ts';
import { createProgress } from '../../report/progress.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS, clusterFlagsFrom } from '../cluster-flags.ts';
import type { CliIO } from '../main.ts';
import { UsageError } from '../main.ts';

export const PROBE_OPTIONS = {
  ...CLUSTER_OPTIONS,
  output: { type: 'string', short: 'o', multiple: true },
  timeout: { type: 'string' },
  settle: { type: 'string' },
  'start-timeout': { type: 'string' },
  concurrency: { type: 'string' },
  'probe-image': { type: 'string' },
  'echo-image': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export const PROBE_FLAGS_USAGE = `${CLUSTER_FLAGS_USAGE}
  --timeout SECONDS          seconds one probe may wait (default 2)
  --settle SECONDS           wait after pods are Ready so the CNI programs their rules (default 3)
  --start-timeout SECONDS    give up on a pod that is not Ready by then (default 120)
  --concurrency N            pods created and execs in flight at once (default 16)
  --probe-image IMAGE        probe image (default $PROBE_IMAGE)
  --echo-image IMAGE         echo server image (default $ECHO_IMAGE)
  -q, --quiet                no progress line`;

interface ProbeValues {
  timeout?: string | undefined;
  settle?: string | undefined;
  'start-timeout'?: string | undefined;
  concurrency?: string | undefined;
  'probe-image'?: string | undefined;
  'echo-image'?: string | undefined;
}

export function positiveSeconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} ${value}: expected a number of seconds`);
  return n;
}

/** Run settings from the probe flags; throws UsageError. */
export function probeSettings(values: ProbeValues): { settings: RunSettings; timeoutSeconds: number } {
  const timeoutSeconds = positiveSeconds(values.timeout, '--timeout', 2);
  if (timeoutSeconds <= 0 || timeoutSeconds > 600) throw new UsageError('--timeout: expected more than 0 and at most 600 seconds');
  const concurrency = Math.floor(positiveSeconds(values.concurrency, '--concurrency', 16));
  if (concurrency < 1) throw new UsageError('--concurrency: expected at least 1');
  const probeImage = values['probe-image'] ?? process.env.PROBE_IMAGE;
  if (!probeImage) throw new UsageError('no probe image: pass --probe-image or set PROBE_IMAGE (scripts/cluster up prints it)');
  const settings: RunSettings = {
    concurrency,
    settleMs: positiveSeconds(values.settle, '--settle', 3) * 1000,
    startTimeoutMs: positiveSeconds(values['start-timeout'], '--start-timeout', 120) * 1000,
    probeImage,
    echoImage: values['echo-image'] ?? process.env.ECHO_IMAGE ?? probeImage,
    deadlineSeconds: 600,
    imagePullSecrets: [],
    extraLabels: {},
    annotations: {},
    nodeSelector: {},
    tolerations: [],
    plan: { synthesizeMissing: false },
    dryRun: false,
  };
  return { settings, timeoutSeconds };
}

/** Generated suite text -> cases, through the normal loader (see loadGeneratedSuite). */
export function casesFromYaml(yaml: string, file: string): Case[] {
  return expandSuites(loadGeneratedSuite(yaml, file));
}

/** Connects with the cluster flags; prints why not and returns undefined when it cannot. */
export async function connectFor(name: string, values: { kubeconfig?: unknown; context?: unknown; namespace?: unknown }, io: CliIO): Promise<ClusterTarget | undefined> {
  const { ClusterConfigError, connect } = await import('../../cluster/connect.ts');
  try {
    const target = connect(clusterFlagsFrom(values));
    io.stderr(`netprobe: context ${target.context} (${target.server})\n`);
    return target;
  } catch (err) {
    if (err instanceof ClusterConfigError) {
      io.stderr(`netprobe ${name}: ${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

/**
 * One probing round with a progress line. Returns the outcome, or a string saying why the cluster could
 * not be probed (unreachable, permissions); other errors are thrown.
 */
export async function probeRound(target: ClusterTarget, cases: readonly Case[], settings: RunSettings, signal: AbortSignal, quiet: boolean): Promise<RunOutcome | string> {
  const { ClusterUnreachableError } = await import('../../cluster/errors.ts');
  const { newRunId, PermissionError, runCases } = await import('../../run/run-suites.ts');
  const progress = createProgress({ enabled: !quiet });
  try {
    return await runCases(target, cases, { ...settings, onPhase: (phase, done, total) => progress.update({ phase, done, total }) }, signal, newRunId());
  } catch (err) {
    if (err instanceof PermissionError || err instanceof ClusterUnreachableError) return err.message;
    throw err;
  } finally {
    progress.stop();
  }
}

/** Splits repeatable, comma-separated flag values. */
export function listValues(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** Sleeps, waking early when `signal` aborts. */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
