// `netprobe predict SUITE... --policies PATH...`: judge every expectation against NetworkPolicy manifests,
// with no cluster. Contradictions (the policies deny an `allow`, or allow a `deny`) fail the run.
import type { Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { connectFor } from '../probe-flags.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS } from '../cluster-flags.ts';
import { OutputSpecError, parseOutputSpecs, writeOutputs } from '../../report/outputs.ts';
import { caseLimitDiagnostics, expandSuites, formatDiagnostic, loadSuites, selectSuites } from '../../suite/index.ts';
import { LIMIT_FLAGS_USAGE, LIMIT_OPTIONS, maxCasesFrom } from '../limit-flags.ts';
import { buildReport, EXIT, exitCodeFor } from '../../verdict/model.ts';
import { predictCase } from '../../policy/predict.ts';
import { readClusterPolicyInputs, readPolicyInputs } from '../policy-inputs.ts';
import { predictionResult } from '../../verdict/predicted.ts';

const USAGE = `netprobe predict (--policies PATH... | --from-cluster) [FLAGS] SUITE...

Judges every expectation of the suites under SUITE against Kubernetes manifests, without a cluster:
NetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy, Namespaces (their labels),
Pods, Services, and workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob: one
representative pod from the template). Each result carries the predicted verdict and the policies that
decide it; an expectation the policies contradict is reported as a leak (a deny the policies allow) or
broken (an allow the policies deny). Pod selectors that match no pod are judged for a stand-in carrying
the selector's labels; host names cannot be predicted (inconclusive).

With --from-cluster the same objects are read live (NetworkPolicies, Pods and Services of the namespaces
the suites name, every Namespace, admin policies where their CRDs exist): list permissions only, nothing
is created.

Flags:
  --policies PATH            manifest file or folder (*.yaml, *.yml, *.json); repeatable
  --from-cluster             read the policies and pods from the cluster instead of files
${CLUSTER_FLAGS_USAGE}
  --only NAME|TAG            judge only these expectations (comma-separated, repeatable)
  -o, --output FORMAT[=FILE] table (default), json, junit, tap, markdown, html,
                             github, github-output; repeatable
${LIMIT_FLAGS_USAGE}
  -h, --help                 show this help

Exit codes: 0 the policies agree with every expectation; 1 a contradiction; 2 invalid input or usage;
3 some expectations could not be predicted and none is contradicted.
`;

export const command: Command = {
  name: 'predict',
  summary: 'judge expectations against NetworkPolicy manifests, no cluster needed',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...CLUSTER_OPTIONS,
      'from-cluster': { type: 'boolean' },
      policies: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o', multiple: true },
      ...LIMIT_OPTIONS,
    });
    const maxCases = maxCasesFrom(values);
    if (positionals.length === 0) throw new UsageError('no SUITE given; expected one or more suite files or folders');
    const policyPaths = values.policies ?? [];
    const fromCluster = values['from-cluster'] === true;
    if (policyPaths.length === 0 && !fromCluster) throw new UsageError('no --policies PATH given (or --from-cluster)');
    if (policyPaths.length > 0 && fromCluster) throw new UsageError('--policies and --from-cluster exclude each other');
    let outputs;
    try {
      outputs = parseOutputSpecs(values.output ?? []);
    } catch (err) {
      if (err instanceof OutputSpecError) throw new UsageError(err.message);
      throw err;
    }
    const loaded = await loadSuites(positionals);
    const { suites, unmatched } = selectSuites(loaded.suites, values.only ?? []);
    if (loaded.diagnostics.length === 0 && unmatched.length > 0) throw new UsageError(`--only ${unmatched.join(', ')} matched no expectation name or tag`);
    const problems = loaded.diagnostics.length > 0 ? loaded.diagnostics : caseLimitDiagnostics(suites, maxCases);
    if (problems.length > 0) {
      for (const d of problems) io.stderr(`${formatDiagnostic(d)}\n`);
      io.stderr('netprobe predict: invalid suite input\n');
      return EXIT.usage;
    }
    let inputs;
    let cluster: { server: string; context: string } | undefined;
    if (fromCluster) {
      const target = await connectFor('predict', values, io);
      if (target === undefined) return EXIT.undecided;
      cluster = target;
      // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
      const { namespacesOf } = await import('../../run/run-suites.ts');
      inputs = await readClusterPolicyInputs('predict', target, namespacesOf(expandSuites(suites)), io);
      if (inputs === undefined) return EXIT.undecided;
    } else {
      inputs = await readPolicyInputs('predict', policyPaths, io);
      if (inputs === undefined) return EXIT.usage;
    }
    const { manifests, engine } = inputs;
    io.stderr(
      `netprobe predict: ${manifests.policies.length} policies, ${manifests.namespaces.length} namespaces, ` +
        `${manifests.pods.length} pods, ${manifests.services.length} services` +
        (manifests.adminPolicies.length + manifests.baselinePolicies.length > 0
          ? `, ${manifests.adminPolicies.length} admin and ${manifests.baselinePolicies.length} baseline admin policies`
          : '') +
        '\n',
    );
    const startedAt = new Date();
    const results = expandSuites(suites).map((c) => predictionResult(c, predictCase(engine, manifests, c)));
    const run = { id: `predict-${startedAt.getTime().toString(36)}`, argv: ['predict', ...args], startedAt };
    const report = buildReport(cluster ? { ...run, cluster: { server: cluster.server, context: cluster.context } } : run, results);
    await writeOutputs(report, outputs, { stdout: { write: io.stdout, isTTY: process.stdout.isTTY, columns: process.stdout.columns } });
    return exitCodeFor(report.summary);
  },
};
