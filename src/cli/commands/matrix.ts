// `netprobe matrix --namespaces a,b,c`: the reachability truth table between the pods of those
// namespaces on their declared ports, as a table, JSON or an HTML page.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NothingToProbeError } from '../../incident/common.ts';
import { MATRIX_SCHEMA_VERSION, matrixCells, matrixReport, matrixSuite, renderMatrixTable, type MatrixJson, type MatrixPlan } from '../../incident/matrix.ts';
import { offlineMatrix } from '../../incident/matrix-offline.ts';
import { styleFor } from '../../report/color.ts';
import { render as renderHtml } from '../../report/html.ts';
import { redactDeep } from '../../util/redact.ts';
import { VERSION } from '../../util/version.ts';
import { EXIT, type Result } from '../../verdict/model.ts';
import type { CliIO, Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { abortOnSignals } from '../signals.ts';
import { casesFromYaml, connectFor, listValues, PROBE_FLAGS_USAGE, PROBE_OPTIONS, probeRound, probeSettings } from '../incident-shared.ts';
import { apiErrorMessage } from '../../cluster/errors.ts';
import { finishResults } from '../../run/predictions.ts';
import { policyEvidence } from '../../run/vouchers.ts';
import { readClusterPolicyInputs, readPolicyInputs } from '../policy-inputs.ts';
import { readClusterSnapshot } from '../../run/cluster-state.ts';
import type { PolicyInputs } from '../../run/policy-inputs.ts';

const USAGE = `netprobe matrix --namespaces A,B,... [FLAGS]
       netprobe matrix --namespaces A,B,... (--policies PATH... [--state PATH...] | --from-cluster) [-o FORMAT[=FILE]]...

Probes every pod identity of the namespaces against every port every other identity declares and
prints the truth table: rows are sources, numbered columns are destination ports. A cell is reachable,
blocked (only once the target is shown alive), or unknown (with the reason below the table).

With --policies (or --from-cluster, which reads the same objects live), no probe: the same table from manifests (NetworkPolicies, admin policies, and with
them or in --state the Namespaces, Pods and workloads; one representative pod per workload), each cell
what the policies imply (allowed, denied, unknown), judged as netprobe predict judges.

Flags:
  --namespaces A,B,...       the namespaces (required; repeatable)
  --policies PATH            manifest file or folder: no cluster, the table the policies imply; repeatable
  --state PATH               more manifests (Namespaces, Pods, workloads) for --policies; repeatable
  --from-cluster             the table the cluster's policies imply for the pods it lists (every pod,
                             Ready or not), read with list permissions: nothing is created or probed
  -o, --output FORMAT[=FILE] table (default), json or html; repeatable, at most one to stdout
  --write-suite FILE         also write the probe set as a suite
  --ephemeral                probe from inside a running pod of each identity (an ephemeral container,
                             which stays in that pod's spec until the pod is replaced): no probe pods,
                             so no waves, and each row is the workload's own pod
${PROBE_FLAGS_USAGE}
  -h, --help                 show this help

Exit codes: 0 every cell decided; 2 invalid input or usage; 3 some cells unknown, the cluster could not
be probed, or there is nothing to probe (no Running and Ready pod, no declared port).
`;

interface MatrixOutput {
  format: 'table' | 'json' | 'html';
  file: string | undefined;
}

/** `-o FORMAT[=FILE]`: table, json or html; at most one to stdout. */
function matrixOutputs(specs: readonly string[] | undefined): MatrixOutput[] {
  const outputs = (specs ?? ['table']).map((o) => {
    const eq = o.indexOf('=');
    const format = eq < 0 ? o : o.slice(0, eq);
    const file = eq < 0 || o.slice(eq + 1) === '-' ? undefined : o.slice(eq + 1);
    if (format !== 'table' && format !== 'json' && format !== 'html') throw new UsageError(`-o ${o}: expected table, json or html, optionally =FILE`);
    return { format, file } as MatrixOutput;
  });
  if (outputs.filter((o) => o.file === undefined).length > 1) throw new UsageError('-o: only one output may go to stdout');
  return outputs;
}

/** The table, JSON and HTML of one matrix, to stdout or their files; `offline`: from manifests (--policies). */
async function writeMatrix(outputs: readonly MatrixOutput[], plan: MatrixPlan, json: MatrixJson, results: Result[], io: CliIO, offline = false): Promise<void> {
  const ascii = !styleFor({ isTTY: process.stdout.isTTY }).unicode;
  for (const o of outputs) {
    const text =
      o.format === 'json'
        ? `${JSON.stringify(json, null, 2)}\n`
        : o.format === 'html'
          ? renderHtml(redactDeep(matrixReport(json.run, results)), VERSION, 'matrix')
          : renderMatrixTable(plan, json.cells, json.unknown, o.file === undefined ? ascii : false, offline);
    if (o.file === undefined) io.stdout(text);
    else {
      await mkdir(dirname(o.file), { recursive: true });
      await writeFile(o.file, text);
    }
  }
}

export const command: Command = {
  name: 'matrix',
  summary: 'the reachability truth table between the pods of some namespaces (table, JSON or HTML)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...PROBE_OPTIONS, namespaces: { type: 'string', multiple: true }, 'write-suite': { type: 'string' }, ephemeral: { type: 'boolean' }, policies: { type: 'string', multiple: true }, state: { type: 'string', multiple: true }, 'from-cluster': { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; name namespaces with --namespaces`);
    const namespaces = [...new Set(listValues(values.namespaces))];
    if (namespaces.length === 0) throw new UsageError('no --namespaces given');
    const outputs = matrixOutputs(values.output);
    if (values.state !== undefined && values.policies === undefined) throw new UsageError('--state needs --policies (the truth table from manifests, no cluster)');
    if (values.policies !== undefined && values['from-cluster'] === true) throw new UsageError('--policies and --from-cluster: give one');
    if (values.policies !== undefined) {
      const inputs = await readPolicyInputs('matrix', [...values.policies, ...(values.state ?? [])], io);
      return inputs === undefined ? EXIT.usage : await offlineRun(namespaces, inputs, outputs, io, {});
    }
    if (values['from-cluster'] === true) return await predictedFromCluster(namespaces, values, outputs, io);
    const { settings, timeoutSeconds } = probeSettings(values);

    const target = await connectFor('matrix', values, io);
    if (!target) return EXIT.undecided;
    let snapshot;
    let policies;
    try {
      // The policies, as `run` uses them: control probes from allowed identities, canaries instead of the fixed settle.
      [snapshot, policies] = await Promise.all([readClusterSnapshot(target.kc, namespaces), readClusterPolicyInputs('matrix', target, namespaces, io)]);
    } catch (err) {
      io.stderr(`netprobe matrix: cannot read the cluster at ${target.server}: ${apiErrorMessage(err)}\n`);
      return EXIT.undecided;
    }
    let plan;
    try {
      plan = matrixSuite(snapshot, namespaces, timeoutSeconds);
    } catch (err) {
      if (!(err instanceof Error) || !(err instanceof NothingToProbeError || /does not exist/.test(err.message))) throw err;
      io.stderr(`netprobe matrix: ${err.message}\n`);
      return err instanceof NothingToProbeError ? EXIT.undecided : EXIT.usage;
    }
    if (values['write-suite'] !== undefined) await writeFile(values['write-suite'], plan.yaml);
    io.stderr(`netprobe matrix: ${plan.rows.length} sources x ${plan.columns.length} destination ports\n`);
    const startedAt = new Date();
    const signals = abortOnSignals((sig) => io.stderr(`netprobe: ${sig}: stopping and cleaning up\n`));
    let outcome;
    try {
      const evidence = policies === undefined ? {} : policyEvidence(policies);
      const planOptions = { ...settings.plan, ephemeral: values.ephemeral === true };
      outcome = await probeRound(target, casesFromYaml(plan.yaml, values['write-suite'] ?? 'matrix.yaml'), { ...settings, ...evidence, plan: planOptions, snapshot }, signals.signal, values.quiet === true);
    } finally {
      signals.dispose();
    }
    if (typeof outcome === 'string') {
      io.stderr(`netprobe matrix: ${outcome}\n`);
      return EXIT.undecided;
    }
    if (signals.signal.aborted) {
      io.stderr(`netprobe matrix: interrupted; pods of run ${outcome.runId} deleted\n`);
      return 130;
    }
    const results = finishResults(outcome, policies).results;
    const { cells, details } = matrixCells(plan, results);
    const json: MatrixJson = {
      schemaVersion: MATRIX_SCHEMA_VERSION,
      run: { id: outcome.runId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), cluster: target.server, context: target.context },
      namespaces,
      sources: plan.rows,
      destinations: plan.columns,
      cells,
      unknown: details,
    };
    await writeMatrix(outputs, plan, json, results, io);
    return Object.keys(details).length > 0 ? EXIT.undecided : EXIT.ok;
  },
};

/** `--from-cluster`: the table the live policies and pods imply, read with list permissions, no probe. */
async function predictedFromCluster(namespaces: string[], values: Parameters<typeof connectFor>[1], outputs: readonly MatrixOutput[], io: CliIO): Promise<number> {
  const target = await connectFor('matrix', values, io);
  if (!target) return EXIT.undecided;
  const inputs = await readClusterPolicyInputs('matrix', target, namespaces, io);
  if (inputs === undefined) return EXIT.undecided;
  return await offlineRun(namespaces, inputs, outputs, io, { cluster: target.server, context: target.context });
}

/** `--policies` (and `--state`), or `--from-cluster`: the truth table the policies imply, with no probe. */
async function offlineRun(namespaces: string[], inputs: PolicyInputs, outputs: readonly MatrixOutput[], io: CliIO, where: { cluster?: string; context?: string }): Promise<number> {
  const startedAt = new Date();
  let built;
  try {
    built = offlineMatrix(inputs.manifests, inputs.engine, namespaces);
  } catch (err) {
    if (!(err instanceof Error) || !(err instanceof NothingToProbeError || /does not exist/.test(err.message))) throw err;
    io.stderr(`netprobe matrix: ${err.message.replace('does not exist', 'is not in the manifests')}\n`);
    return err instanceof NothingToProbeError ? EXIT.undecided : EXIT.usage;
  }
  const { cells, details } = matrixCells(built.plan, built.results);
  const run = { id: `matrix-${startedAt.getTime().toString(36)}`, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), ...where };
  const json: MatrixJson = { schemaVersion: MATRIX_SCHEMA_VERSION, run, namespaces, sources: built.plan.rows, destinations: built.plan.columns, cells, unknown: details };
  await writeMatrix(outputs, built.plan, json, built.results, io, true);
  return Object.keys(details).length > 0 ? EXIT.undecided : EXIT.ok;
}
