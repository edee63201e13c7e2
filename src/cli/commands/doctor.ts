// `netprobe doctor`: can netprobe work against this cluster, and does the cluster enforce NetworkPolicy?
import type { CliIO, Command } from '../main.ts';
import type { Permission } from '../../cluster/access.ts';
import { expandSuites, formatDiagnostic, loadSuites } from '../../suite/index.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS } from '../cluster-flags.ts';
import { abortOnSignals } from '../signals.ts';
import { connectFor } from '../probe-flags.ts';
import { chooseImages, IMAGE_FLAGS_USAGE, IMAGE_OPTIONS } from '../images.ts';
import { EXIT } from '../../verdict/model.ts';
import { namespaceUse, usePermissions } from '../../run/namespace-use.ts';
import { decide } from '../../doctor/decide.ts';

const USAGE = `netprobe doctor [FLAGS] [SUITE...]

Checks that the API answers (and its version), which permissions netprobe lacks (with SUITE: exactly what
a run of those suites needs, as \`netprobe rbac SUITE...\` grants it; without: a run in any namespace, so
an identity with namespaced Roles sees those missing cluster-wide), and whether the cluster
enforces NetworkPolicy: in a temporary namespace (netprobe-doctor-ID, labelled netprobe.dev/run, Pod
Security restricted) it starts an echo server and a probe pod, checks that the probe connects, then
applies a deny-all ingress policy to the server and measures how long until the probe is blocked, then
the same with a deny-all egress policy on the probe pod. The namespace is deleted at the end, also on
Ctrl-C (\`netprobe clean\` removes one a killed doctor left).

Flags:
${CLUSTER_FLAGS_USAGE.split('\n').filter((l) => !l.includes('--namespace')).join('\n')}
  --enforce-timeout SECONDS  how long a deny policy gets to take effect (default 30)
${IMAGE_FLAGS_USAGE}
  --image-pull-secret NAME   for the canary pods; repeatable
  -h, --help                 show this help

Exit codes: 0 NetworkPolicy is enforced on ingress and egress; 1 it is not (on one or both); 3 doctor
could not tell (API unreachable, permissions missing, the canary did not start or its baseline failed).
`;

/** What a run of the suites under `paths` needs (as `netprobe rbac` grants it), or 'invalid' once reported. */
async function suitePermissions(paths: string[], io: CliIO): Promise<Permission[] | 'invalid'> {
  const loaded = await loadSuites(paths);
  if (loaded.diagnostics.length > 0) {
    for (const d of loaded.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr('netprobe doctor: invalid input, nothing was created\n');
    return 'invalid';
  }
  return usePermissions(namespaceUse(expandSuites(loaded.suites), { ephemeral: false, synthesizeMissing: false }, 'possible'));
}

export const command: Command = {
  name: 'doctor',
  summary: 'check API access and permissions, and whether the cluster enforces NetworkPolicy',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...CLUSTER_OPTIONS,
      'enforce-timeout': { type: 'string' },
      ...IMAGE_OPTIONS,
      'image-pull-secret': { type: 'string', multiple: true },
    });
    const runNeeds = positionals.length > 0 ? await suitePermissions(positionals, io) : undefined;
    if (runNeeds === 'invalid') return EXIT.usage;
    const timeout = Number(values['enforce-timeout'] ?? '30');
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--enforce-timeout ${values['enforce-timeout']}: expected a number of seconds`);
    const { probeImage, echoImage } = chooseImages(values);

    // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
    const { newRunId } = await import('../../run/run-suites.ts');
    const { runDoctor } = await import('../../doctor/doctor.ts');
    const target = await connectFor('doctor', values, io);
    if (!target) return EXIT.undecided;
    const signals = abortOnSignals((sig) => io.stderr(`netprobe doctor: ${sig}: stopping and deleting the canary namespace\n`));
    let facts;
    try {
      facts = await runDoctor(target, {
        runId: newRunId(),
        probeImage,
        echoImage,
        deadlineSeconds: 0,
        imagePullSecrets: values['image-pull-secret'] ?? [],
        extraLabels: {},
        annotations: {},
        nodeSelector: {},
        tolerations: [],
        deadlineMs: timeout * 1000,
        intervalMs: 200,
        startTimeoutMs: 120_000,
        signal: signals.signal,
        log: (line) => io.stderr(`netprobe doctor: ${line}\n`),
        ...(runNeeds !== undefined ? { runNeeds } : {}),
      });
    } finally {
      signals.dispose();
    }
    const { code, lines } = decide(facts);
    io.stdout(`${lines.join('\n')}\n`);
    return signals.signal.aborted ? 130 : code;
  },
};
