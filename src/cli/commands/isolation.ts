// `netprobe isolation NAMESPACE`: prove an emergency isolation holds. Builds the probe set (a suite),
// runs it like `netprobe run`, reports; with --watch, re-runs and says the moment a path opens or closes.
import { writeFile } from 'node:fs/promises';
import type { ClusterTarget } from '../../cluster/connect.ts';
import type { ClusterSnapshot } from '../../model/cluster.ts';
import { outputSpecs, printFindings, writeReport } from '../probe-flags.ts';
import { NothingToProbeError, parseLabels, SYSTEM_NAMESPACES } from '../../incident/common.ts';
import { IsolationInputError, isolationSuite, KEEP_WORDS, parseHostPort, policyNamespaces, type HostPort, type IsolationSuite } from '../../incident/isolation-suite.ts';
import { formatChange, pathChanges, roundLine } from '../../incident/watch.ts';
import { buildReport, EXIT, exitCodeFor, type Report, type Result } from '../../verdict/model.ts';
import type { RunOutcome } from '../../run/run-suites.ts';
import type { CliIO, Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { abortOnSignals } from '../signals.ts';
import { casesFromYaml, connectFor, listValues, PROBE_FLAGS_USAGE, PROBE_OPTIONS, positiveSeconds, probeRound, probeSettings } from '../incident-shared.ts';
import { sleep } from '../../util/sleep.ts';
import { apiErrorMessage } from '../../cluster/errors.ts';
import { finishResults } from '../../run/predictions.ts';
import { policyEvidence, type PolicyInputs } from '../../run/vouchers.ts';
import { readClusterPolicyInputs } from '../policy-inputs.ts';

const USAGE = `netprobe isolation NAMESPACE [FLAGS]

Proves that an emergency isolation of NAMESPACE (or of the pods --selector picks in it) holds: nothing
gets in, nothing gets out except what --keep names. Ingress: from every pod identity of every other
namespace, a stand-in for any pod there, and the labelled pods the namespace's own policies admit, to
every isolated pod on every port its containers declare. Egress: from every isolated identity to the
pods of every other namespace on their declared ports, to the Kubernetes API (its endpoints), to cluster
DNS (allowed only with --keep dns) and to --external addresses. A deny passes only when its target is
shown alive. More: docs/incident.md.

Flags:
  --selector K=V,...         isolate only the pods with these labels (default: the whole namespace)
  --keep WHAT,...            what stays open: dns, kube-api, HOST:PORT; repeatable
  --from-namespaces A,B      the other namespaces to check (default: all but kube-system, kube-public,
                             kube-node-lease)
  --external HOST:PORT,...   addresses outside the cluster the pods must not reach (/UDP for UDP)
  --write-suite FILE         also write the probe set as a suite (netprobe run FILE re-runs it)
  --watch SECONDS            re-run every SECONDS and print a line when a path opens or closes, until Ctrl-C
  -o, --output FORMAT[=FILE] table (default), json, junit, tap, markdown, html; repeatable
${PROBE_FLAGS_USAGE}
  -h, --help                 show this help

Exit codes (as netprobe run): 0 the isolation holds; 1 a leak (or a kept path is blocked); 2 invalid
input or usage; 3 undecided (cluster unreachable, permissions missing, inconclusive paths, no Running and
Ready pod to isolate).
`;

interface Inputs {
  namespace: string;
  selector: Record<string, string>;
  keep: string[];
  fromNamespaces: string[] | undefined;
  external: HostPort[];
  timeoutSeconds: number;
}

/** The probe set, and the policies it was built from (undefined: they could not be read). */
interface ProbeSet {
  suite: IsolationSuite;
  policies: PolicyInputs | undefined;
  /** What it was built from (the run plans from it too, instead of reading it again). */
  snapshot: ClusterSnapshot;
}

/**
 * Reads the cluster and builds the probe set. The policies are read once, for the suite (stand-ins,
 * the DNS control) and for the run's evidence, as `run` uses them: control probes from an identity they
 * allow show targets alive, canaries show the probe pods' rules in place.
 */
async function buildProbeSet(target: ClusterTarget, inputs: Inputs, io: CliIO): Promise<ProbeSet> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { listNamespaceNames, readKubeApiAddresses } = await import('../../cluster/incident.ts');
  const { readSnapshot } = await import('../../cluster/read.ts');
  const all = await listNamespaceNames(target.kc);
  const peers = inputs.fromNamespaces ?? all.filter((n) => n !== inputs.namespace && !SYSTEM_NAMESPACES.includes(n));
  const [snapshot, policies, api] = await Promise.all([
    // Cluster DNS's namespace too: the run's plan needs its pods for the DNS paths.
    readSnapshot(target.kc, policyNamespaces(inputs.namespace, peers)),
    readClusterPolicyInputs('isolation', target, policyNamespaces(inputs.namespace, peers), io),
    readKubeApiAddresses(target.kc),
  ]);
  if (policies === undefined) io.stderr('netprobe isolation: without the policies only "any pod" stand-ins and real pods probe ingress, and the probe pods wait the fixed --settle\n');
  for (const p of api.problems) io.stderr(`netprobe isolation: ${p}\n`);
  const m = policies?.manifests;
  const suite = isolationSuite(snapshot, {
    namespace: inputs.namespace,
    selector: inputs.selector,
    keep: inputs.keep,
    fromNamespaces: peers,
    external: inputs.external,
    kubeApi: api.addresses.map((a) => ({ ...a, protocol: 'TCP' as const })),
    ...(m === undefined ? {} : { policies: m.policies, adminTiers: m.adminPolicies.length + m.baselinePolicies.length > 0 }),
    timeoutSeconds: inputs.timeoutSeconds,
  });
  return { suite, policies, snapshot };
}

/** The round's report: its results with what the policies add (as `run`: predictions, findings). */
async function report(args: string[], outcome: RunOutcome, startedAt: Date, target: ClusterTarget, policies: PolicyInputs | undefined): Promise<Report> {
  const { results, findings } = finishResults(outcome, policies);
  return buildReport({ id: outcome.runId, argv: ['isolation', ...args], startedAt, cluster: { server: target.server, context: target.context } }, results, findings);
}

/** The first round's line on stderr: where the time went. */
function timingLine(outcome: RunOutcome, startedAt: Date, now: Date): string | undefined {
  const t = outcome.timings;
  if (t === undefined) return undefined;
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return `netprobe isolation: verdict in ${s(now.getTime() - startedAt.getTime())} s (${outcome.plan.sources.length + outcome.plan.servers.length} pods started in ${s(t.startMs)} s, settle ${s(t.settleMs)} s, probes ${s(t.probeMs)} s)\n`;
}

export const command: Command = {
  name: 'isolation',
  summary: 'prove an emergency isolation of a namespace holds (nothing in, nothing out but what is kept)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...PROBE_OPTIONS,
      selector: { type: 'string' },
      keep: { type: 'string', multiple: true },
      'from-namespaces': { type: 'string', multiple: true },
      external: { type: 'string', multiple: true },
      'write-suite': { type: 'string' },
      watch: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no NAMESPACE given' : `one NAMESPACE expected, got ${positionals.join(' ')}`);
    const outputs = outputSpecs(values.output);
    const { settings, timeoutSeconds } = probeSettings(values);
    let inputs: Inputs;
    try {
      const keep = listValues(values.keep);
      for (const k of keep) if (!(KEEP_WORDS as readonly string[]).includes(k)) parseHostPort(k);
      const from = listValues(values['from-namespaces']);
      inputs = {
        namespace: positionals[0]!,
        selector: values.selector === undefined ? {} : parseLabels(values.selector),
        keep,
        fromNamespaces: from.length > 0 ? from : undefined,
        external: listValues(values.external).map(parseHostPort),
        timeoutSeconds,
      };
    } catch (err) {
      if (err instanceof Error) throw new UsageError(`${err.message}${err instanceof IsolationInputError ? ` (--keep takes ${KEEP_WORDS.join(', ')} or HOST:PORT)` : ''}`);
      throw err;
    }
    const watchSeconds = values.watch === undefined ? undefined : positiveSeconds(values.watch, '--watch', 0);
    if (watchSeconds !== undefined && watchSeconds <= 0) throw new UsageError('--watch: expected more than 0 seconds');

    const target = await connectFor('isolation', values, io);
    if (!target) return EXIT.undecided;
    const signals = abortOnSignals((sig) => io.stderr(`netprobe: ${sig}: stopping and cleaning up\n`));
    try {
      let previous: Result[] | undefined;
      let code: number = EXIT.ok;
      for (let round = 1; ; round++) {
        const startedAt = new Date();
        let probeSet: ProbeSet;
        try {
          probeSet = await buildProbeSet(target, inputs, io);
        } catch (err) {
          if (err instanceof IsolationInputError) {
            io.stderr(`netprobe isolation: ${err.message}\n`);
            return EXIT.usage;
          }
          if (err instanceof NothingToProbeError) {
            // While watching, the pods may come back (a rollout): say so and look again next round.
            io.stderr(`netprobe isolation: ${err.message}\n`);
            if (previous === undefined) return EXIT.undecided;
            await sleep((watchSeconds ?? 0) * 1000, signals.signal);
            if (signals.signal.aborted) return 130;
            continue;
          }
          io.stderr(`netprobe isolation: cannot read the cluster at ${target.server}: ${apiErrorMessage(err)}\n`);
          if (previous === undefined) return EXIT.undecided;
          await sleep((watchSeconds ?? 0) * 1000, signals.signal);
          if (signals.signal.aborted) return 130;
          continue;
        }
        const { suite, policies } = probeSet;
        if (round === 1) {
          for (const n of suite.notes) io.stderr(`netprobe isolation: note: ${n}\n`);
          const c = suite.counts;
          io.stderr(`netprobe isolation: ${c.targets} isolated identit${c.targets === 1 ? 'y' : 'ies'}, ${c.sources} ingress source${c.sources === 1 ? '' : 's'}, ${c.expectations} expectations\n`);
        }
        const suiteFile = values['write-suite'] ?? `isolation-${inputs.namespace}.yaml`;
        if (values['write-suite'] !== undefined) await writeFile(values['write-suite'], suite.yaml);
        const cases = casesFromYaml(suite.yaml, suiteFile);
        const evidence = policies === undefined ? {} : policyEvidence(policies);
        const outcome = await probeRound(target, cases, { ...settings, ...evidence, snapshot: probeSet.snapshot }, signals.signal, values.quiet === true || previous !== undefined);
        if (typeof outcome === 'string') {
          io.stderr(`netprobe isolation: ${outcome}\n`);
          if (previous === undefined) return EXIT.undecided;
        } else {
          if (!outcome.cleaned) io.stderr(`netprobe isolation: cleanup of run ${outcome.runId} failed; run \`netprobe clean --run ${outcome.runId}\`\n`);
          if (signals.signal.aborted) {
            io.stderr(`netprobe isolation: interrupted; pods of run ${outcome.runId} deleted\n`);
            return 130;
          }
          const r = await report(args, outcome, startedAt, target, policies);
          code = exitCodeFor(r.summary);
          const now = new Date();
          if (previous === undefined) {
            const timing = timingLine(outcome, startedAt, now);
            if (timing !== undefined) io.stderr(timing);
            if (!(await writeReport('isolation', r, outputs, io))) return EXIT.usage;
            printFindings(r.findings ?? [], io);
            if (watchSeconds !== undefined) io.stdout(`${roundLine(r.results, now, round)}; watching every ${watchSeconds} s (Ctrl-C to stop)\n`);
          } else {
            for (const change of pathChanges(previous, r.results)) io.stdout(`${formatChange(change, now)}\n`);
            if (values.quiet !== true) io.stderr(`${roundLine(r.results, now, round)}\n`);
            // Files always hold the latest round; stdout only gets the changes.
            if (outputs.some((o) => o.file !== undefined)) await writeReport('isolation', r, outputs.filter((o) => o.file !== undefined), { ...io, stdout: () => undefined });
          }
          previous = r.results;
        }
        if (watchSeconds === undefined) return code;
        await sleep(watchSeconds * 1000, signals.signal);
        if (signals.signal.aborted) return 130;
      }
    } finally {
      signals.dispose();
    }
  },
};
