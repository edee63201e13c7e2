// The flags of every command that starts probe pods (run, isolation, matrix): cluster, output, timing,
// images and pod placement, parsed in one place into the engine's RunSettings.
import type { ClusterTarget } from '../cluster/connect.ts';
import type { RunSettings } from '../run/run-suites.ts';
import { OutputSpecError, OutputWriteError, parseOutputSpecs, writeOutputs, type OutputSpec } from '../report/outputs.ts';
import type { Report } from '../verdict/model.ts';
import type { Finding } from '../verdict/model.ts';
import { renderFindings } from '../verdict/patterns.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS, clusterFlagsFrom } from './cluster-flags.ts';
import type { CliIO } from './main.ts';
import { UsageError } from './main.ts';
import { chooseImages, IMAGE_FLAGS_USAGE, IMAGE_OPTIONS, type ImageValues } from './images.ts';
import { countFlag } from './limit-flags.ts';

export const PROBE_OPTIONS = {
  ...CLUSTER_OPTIONS,
  output: { type: 'string', short: 'o', multiple: true },
  timeout: { type: 'string' },
  settle: { type: 'string' },
  'start-timeout': { type: 'string' },
  concurrency: { type: 'string' },
  'max-pods': { type: 'string' },
  ...IMAGE_OPTIONS,
  'image-pull-secret': { type: 'string', multiple: true },
  'pod-label': { type: 'string', multiple: true },
  'pod-annotation': { type: 'string', multiple: true },
  'node-selector': { type: 'string', multiple: true },
  toleration: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  'verify-targets': { type: 'boolean' },
} as const;

/** -o as run and isolation take it (matrix has formats of its own). */
export const REPORT_OUTPUT_USAGE = '  -o, --output FORMAT[=FILE] table (default), json, junit, tap, markdown, html,\n                             github, github-output; repeatable';

export const PROBE_FLAGS_USAGE = `${CLUSTER_FLAGS_USAGE}
  --timeout SECONDS          seconds one probe attempt may wait (default: the suite's, else 2)
  --settle SECONDS           wait after pods are Ready so the CNI programs their rules, where the policies
                             are not read (with them, canaries show each probe pod's rules in place) (default 3)
  --start-timeout SECONDS    give up on a pod that is not Ready by then (default 120)
  --concurrency N            pods created and execs in flight at once (default 16)
  --max-pods N               most of netprobe's pods at once; more go in waves, each deleted before the
                             next (default: what the nodes' free pod slots and the ResourceQuotas allow)
${IMAGE_FLAGS_USAGE}
  --image-pull-secret NAME   for netprobe's pods; repeatable
  --pod-label K=V            extra label on netprobe's pods (admission policies); repeatable
  --pod-annotation K=V       extra annotation on netprobe's pods; repeatable
  --node-selector K=V        schedule netprobe's pods on matching nodes; repeatable
  --toleration K[=V]:EFFECT  tolerate a taint; repeatable
  --verify-targets           where nothing else shows a deny's target alive, read the target pod's
                             listening TCP sockets (no traffic) from an ephemeral container, which
                             STAYS in that pod's spec until the pod is replaced (needs
                             pods/ephemeralcontainers and pods/log where the targets run)
  -q, --quiet                no progress line`;

export interface ProbeValues extends ImageValues {
  timeout?: string | undefined;
  settle?: string | undefined;
  'start-timeout'?: string | undefined;
  concurrency?: string | undefined;
  'max-pods'?: string | undefined;
  'image-pull-secret'?: string[] | undefined;
  'pod-label'?: string[] | undefined;
  'pod-annotation'?: string[] | undefined;
  'node-selector'?: string[] | undefined;
  toleration?: string[] | undefined;
  'verify-targets'?: boolean | undefined;
}

export function positiveSeconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} ${value}: expected a number of seconds`);
  return n;
}

/** A duration as kubectl takes it: `90`, `90s`, `5m`, `1h30m`, `500ms` (a bare number is seconds). In seconds. */
export function durationSeconds(value: string, flag: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value);
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) throw new UsageError(`${flag} ${value}: expected a duration (e.g. 60s, 5m, 1h30m)`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]!]!, 0);
}

function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} ${v}: expected KEY=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

type Toleration = RunSettings['tolerations'][number];

function tolerations(values: string[] | undefined): Toleration[] {
  return (values ?? []).map((v) => {
    const m = /^([^=:]+)(?:=([^:]*))?(?::(NoSchedule|PreferNoSchedule|NoExecute))?$/.exec(v);
    if (!m) throw new UsageError(`--toleration ${v}: expected KEY[=VALUE][:EFFECT]`);
    const t: Toleration = { key: m[1]!, operator: m[2] === undefined ? 'Exists' : 'Equal' };
    if (m[2] !== undefined) t.value = m[2];
    if (m[3]) t.effect = m[3];
    return t;
  });
}

/**
 * RunSettings from the probe flags; throws UsageError. `timeoutSeconds` is the --timeout value (2 when
 * absent; `timeoutGiven` says whether it was).
 */
export function probeSettings(values: ProbeValues): { settings: RunSettings; timeoutSeconds: number; timeoutGiven: boolean } {
  const timeoutSeconds = positiveSeconds(values.timeout, '--timeout', 2);
  // The in-pod agent waits at most 120 s per attempt.
  if (timeoutSeconds <= 0 || timeoutSeconds > 120) throw new UsageError('--timeout: expected more than 0 and at most 120 seconds');
  const concurrency = Math.floor(positiveSeconds(values.concurrency, '--concurrency', 16));
  if (concurrency < 1) throw new UsageError('--concurrency: expected at least 1');
  const { probeImage, echoImage } = chooseImages(values);
  const settings: RunSettings = {
    concurrency,
    settleMs: positiveSeconds(values.settle, '--settle', 3) * 1000,
    startTimeoutMs: positiveSeconds(values['start-timeout'], '--start-timeout', 120) * 1000,
    probeImage,
    echoImage,
    imagePullSecrets: values['image-pull-secret'] ?? [],
    extraLabels: pairs(values['pod-label'], '--pod-label'),
    annotations: pairs(values['pod-annotation'], '--pod-annotation'),
    nodeSelector: pairs(values['node-selector'], '--node-selector'),
    tolerations: tolerations(values.toleration),
    plan: { synthesizeMissing: false, verifyTargets: values['verify-targets'] === true },
    dryRun: false,
  };
  if (values['max-pods'] !== undefined) settings.maxPods = countFlag(values['max-pods'], '--max-pods', 1);
  return { settings, timeoutSeconds, timeoutGiven: values.timeout !== undefined };
}

/** -o values -> output specs; a bad spec is a usage error. */
export function outputSpecs(values: readonly string[] | undefined): OutputSpec[] {
  try {
    return parseOutputSpecs(values ?? []);
  } catch (err) {
    if (err instanceof OutputSpecError) throw new UsageError(err.message);
    throw err;
  }
}

/** Writes every output; an unwritable file is reported and yields false. */
export async function writeReport(name: string, report: Report, outputs: readonly OutputSpec[], io: CliIO): Promise<boolean> {
  try {
    await writeOutputs(report, outputs, { stdout: { write: io.stdout, isTTY: process.stdout.isTTY, columns: process.stdout.columns } });
    return true;
  } catch (err) {
    if (!(err instanceof OutputWriteError)) throw err;
    io.stderr(`netprobe ${name}: ${err.message}\n`);
    return false;
  }
}

/** Run-level findings (patterns where observation and policies disagree, ...) after the report, on stderr. */
export function printFindings(findings: readonly Finding[], io: CliIO): void {
  const lines = renderFindings(findings);
  if (lines.length === 0) return;
  io.stderr(`\n${lines.map((l) => `netprobe: ${l}`).join('\n')}\n`);
}

/** Connects with the cluster flags, saying which cluster; a kubeconfig problem is reported and yields undefined. */
export async function connectFor(name: string, values: { kubeconfig?: unknown; context?: unknown; namespace?: unknown }, io: CliIO): Promise<ClusterTarget | undefined> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { ClusterConfigError, connect } = await import('../cluster/connect.ts');
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
