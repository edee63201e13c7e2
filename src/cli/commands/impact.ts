// `netprobe impact --policies CHANGED... (--from-cluster | --state PATH... --base-policies PATH...)`: what a
// policy change does to reachability, before it is applied.
import { writeFile } from 'node:fs/promises';
import type { CliIO, Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { connectFor } from '../probe-flags.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS } from '../cluster-flags.ts';
import { EXIT } from '../../verdict/model.ts';
import { computeImpact } from '../../policy/impact.ts';
import { applyPolicyChange, deletesForEmptyFile } from '../../policy/impact-change.ts';
import type { ManifestSet } from '../../policy/manifests.ts';
import { IMPACT_FORMATS, renderImpact, type ImpactFormat, type ImpactReport } from '../../incident/impact-report.ts';
import { impactSuite } from '../../incident/impact-suite.ts';
import { loadPolicyFiles, readClusterPolicyInputs } from '../policy-inputs.ts';
import { lintPolicies } from '../../policy/lints-state.ts';
import { formatFinding } from '../../policy/lints.ts';

const USAGE = `netprobe impact --policies CHANGED... (--from-cluster | --state PATH... --base-policies PATH...) [FLAGS]

What a policy change does to reachability, before it is applied. The current state (pods, Services,
namespaces and policies) comes from the cluster, read once, or from files; the manifests under
--policies are the after-state of the policies they name (each replaces the policy of the same kind,
namespace and name, or is added). Every pair of workloads (one pod each), the cluster DNS, the API
server's Service address and each part of the outside CIDRs any policy names are judged before and
after; the paths whose answer changes are printed, newly denied first, with the ports and the policy
that makes the difference. The policies are checked as the API server would (exit 2 on a problem),
and the changed ones linted against the state (warnings on stderr: docs/policy-checks.md#lints).

Flags:
  --policies PATH          changed NetworkPolicy / AdminNetworkPolicy manifests (file or folder); repeatable.
                           A file with no policy in it deletes the current policies of the file of the
                           same name under --base-policies.
  --delete KEY             delete a current policy: NAMESPACE/NAME, anp/NAME or banp/NAME; repeatable
  --namespaces A,B,...     judge only the workloads of these namespaces (with the cluster DNS, the API
                           server and the CIDRs); default every namespace of the state
  --from-cluster           read the current state from the cluster (list permissions only)
  --state PATH             current state from files: Namespaces, Pods, Services, workloads; repeatable
  --base-policies PATH     current policies from files; repeatable
${CLUSTER_FLAGS_USAGE}
  -o, --output FORMAT[=FILE]  text (default), json, markdown, html, junit, tap (a newly denied path fails);
                           repeatable
  --write-suite FILE       write the changed paths as a suite of their after-state (run it before the
                           rollout: it fails where the change acts; after: it passes)
  -h, --help               show this help

Exit codes: 0 the change denies nothing that is allowed now; 1 it does (newly denied paths);
2 invalid input or usage; 3 the cluster could not be read.
`;

interface Outputs {
  format: ImpactFormat;
  file?: string;
}

function parseOutputs(specs: readonly string[]): Outputs[] {
  if (specs.length === 0) return [{ format: 'text' }];
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const format = (eq < 0 ? spec : spec.slice(0, eq)) as ImpactFormat;
    if (!IMPACT_FORMATS.includes(format)) throw new UsageError(`-o ${spec}: expected one of ${IMPACT_FORMATS.join(', ')}, optionally =FILE`);
    return eq < 0 ? { format } : { format, file: spec.slice(eq + 1) };
  });
}

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  return parseCommandArgs(args, {
    ...CLUSTER_OPTIONS,
    policies: { type: 'string', multiple: true },
    delete: { type: 'string', multiple: true },
    'from-cluster': { type: 'boolean' },
    state: { type: 'string', multiple: true },
    'base-policies': { type: 'string', multiple: true },
    output: { type: 'string', short: 'o', multiple: true },
    'write-suite': { type: 'string' },
    namespaces: { type: 'string', multiple: true },
  });
}

function checkFlags(values: Values, positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; the changed manifests go under --policies`);
  if ((values.policies ?? []).length === 0 && (values.delete ?? []).length === 0) throw new UsageError('no --policies PATH (or --delete KEY) given: nothing changes');
  const offline = (values.state ?? []).length + (values['base-policies'] ?? []).length > 0;
  if (values['from-cluster'] === true && offline) throw new UsageError('--from-cluster excludes --state and --base-policies');
  if (values['from-cluster'] !== true && !offline) throw new UsageError('no current state: give --from-cluster, or --state PATH... and --base-policies PATH...');
}

/** The current state: the cluster, read once, or the files. Undefined when it could not be read (reported). */
async function currentState(values: Values, io: CliIO): Promise<{ base: ManifestSet; perFile: { file: string; keys: string[] }[]; origin: string; code: number } | { code: number }> {
  if (values['from-cluster'] === true) {
    const target = await connectFor('impact', values, io);
    if (target === undefined) return { code: EXIT.undecided };
    const inputs = await readClusterPolicyInputs('impact', target, undefined, io);
    if (inputs === undefined) return { code: EXIT.undecided };
    return { base: inputs.manifests, perFile: [], origin: `the cluster (context ${target.context})`, code: EXIT.ok };
  }
  const paths = [...(values.state ?? []), ...(values['base-policies'] ?? [])];
  const loaded = await loadPolicyFiles('impact', paths, io);
  if (loaded === undefined) return { code: EXIT.usage };
  return { base: loaded, perFile: loaded.perFile, origin: paths.join(', '), code: EXIT.ok };
}

async function emit(io: CliIO, outputs: readonly Outputs[], report: ImpactReport): Promise<void> {
  for (const o of outputs) {
    const text = renderImpact(report, o.format);
    if (o.file === undefined) io.stdout(text);
    else await writeFile(o.file, text);
  }
}

export const command: Command = {
  name: 'impact',
  summary: 'what a policy change does to reachability, before it is applied (no probes)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parse(args);
    checkFlags(values, positionals);
    const outputs = parseOutputs(values.output ?? []);
    const current = await currentState(values, io);
    if (!('base' in current)) return current.code;
    const changedFiles = await loadPolicyFiles('impact', values.policies ?? [], io);
    if (changedFiles === undefined) return EXIT.usage;
    const emptied = changedFiles.perFile.filter((f) => f.keys.length === 0).flatMap((f) => deletesForEmptyFile(f.file, current.perFile));
    const applied = applyPolicyChange(current.base, { changed: changedFiles, deletes: [...(values.delete ?? []), ...emptied] });
    if (applied.unknownDeletes.length > 0) {
      io.stderr(`netprobe impact: --delete ${applied.unknownDeletes.join(', ')}: no such policy in the current state (expected NAMESPACE/NAME, anp/NAME or banp/NAME)\n`);
      return EXIT.usage;
    }
    const namespaces = values.namespaces?.flatMap((v) => v.split(',')).filter(Boolean);
    const result = computeImpact({ before: current.base, after: applied.after, changed: applied.changedKeys, ...(namespaces ? { namespaces } : {}) });
    // The changed policies' lints, against the state they will apply to: warnings for the reviewer.
    for (const f of lintPolicies(changedFiles.inspected, applied.after)) io.stderr(`${formatFinding(f)}\n`);
    const report: ImpactReport = { changed: applied.changedKeys, origin: current.origin, result };
    await emit(io, outputs, report);
    if (values['write-suite'] !== undefined) {
      const suite = impactSuite(result, applied.changedKeys.join(', '));
      for (const s of suite.skipped) io.stderr(`netprobe impact: not in the suite: ${s}\n`);
      if (suite.yaml === '') io.stderr(`netprobe impact: no path to write to ${values['write-suite']}: the suite would be empty\n`);
      else await writeFile(values['write-suite'], suite.yaml);
    }
    return result.paths.some((p) => p.change === 'newly-denied') ? EXIT.failed : EXIT.ok;
  },
};
