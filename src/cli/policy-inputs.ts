// The policies a command judges with (src/run/policy-inputs.ts), read for the command line: problems go
// to stderr and yield undefined.
import type * as k8s from '@kubernetes/client-node';
import { apiErrorMessage } from '../cluster/errors.ts';
import { loadManifestFiles, type LoadedManifests } from '../policy/load-files.ts';
import { missingForPrediction, policyEngine, readClusterPolicies, type PolicyInputs } from '../run/policy-inputs.ts';
import { namespacesOf } from '../run/namespace-use.ts';
import type { Case } from '../suite/model.ts';
import { formatDiagnostic, sortDiagnostics } from '../suite/diagnostics.ts';
import type { CliIO } from './main.ts';
import { UsageError } from './main.ts';

function warned(name: string, read: { inputs: PolicyInputs; warnings: string[] }, io: CliIO): PolicyInputs {
  for (const w of read.warnings) io.stderr(`netprobe ${name}: warning: ${w}\n`);
  return read.inputs;
}

/**
 * Reads --policies paths for a command (predict, explain, run, generate, impact). A policy the API server
 * would reject is printed at file:line:col and yields undefined (the command exits 2), as does an
 * unreadable path.
 */
export async function loadPolicyFiles(name: string, paths: readonly string[], io: CliIO): Promise<LoadedManifests | undefined> {
  let manifests;
  try {
    manifests = await loadManifestFiles(paths);
  } catch (err) {
    io.stderr(`netprobe ${name}: cannot read --policies: ${err instanceof Error ? err.message : String(err)}\n`);
    return undefined;
  }
  if (manifests.diagnostics.length > 0) {
    for (const d of sortDiagnostics(manifests.diagnostics, manifests.files)) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr(`netprobe ${name}: ${manifests.diagnostics.length} problem(s) in --policies that the API server would reject\n`);
    return undefined;
  }
  return manifests;
}

/** loadPolicyFiles and an engine; what the engine skips (objects it cannot read) becomes warnings on stderr. */
export async function readPolicyInputs(name: string, paths: readonly string[], io: CliIO): Promise<PolicyInputs | undefined> {
  const manifests = await loadPolicyFiles(name, paths, io);
  return manifests === undefined ? undefined : warned(name, policyEngine(manifests), io);
}

/** Reads the policy state live for the namespaces given; an error (unreachable, a list forbidden) is reported and yields undefined. */
export async function readClusterPolicyInputs(name: string, target: { kc: k8s.KubeConfig; server: string }, namespaces: readonly string[] | undefined, io: CliIO): Promise<PolicyInputs | undefined> {
  try {
    return warned(name, await readClusterPolicies(target.kc, namespaces), io);
  } catch (err) {
    io.stderr(`netprobe ${name}: cannot read the policies from ${target.server}: ${apiErrorMessage(err)}\n`);
    return undefined;
  }
}

/**
 * The cluster's own policies, read before a run creates anything (the state the probes meet, without
 * netprobe's own pods), when this identity may read them (run, watch). `required` without them: printed,
 * `false`.
 */
export async function clusterPolicies(name: string, target: { kc: k8s.KubeConfig; server: string }, cases: readonly Case[], mode: 'required' | 'auto', io: CliIO): Promise<PolicyInputs | undefined | false> {
  const namespaces = namespacesOf(cases);
  const missing = await missingForPrediction(target.kc, namespaces);
  let inputs: PolicyInputs | undefined;
  if (missing !== undefined && missing.length === 0) inputs = await readClusterPolicyInputs(name, target, namespaces, io);
  else if (missing !== undefined && mode === 'auto') io.stderr(`netprobe: no prediction: cannot ${missing[0]!}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}\n`);
  if (mode !== 'required' || inputs !== undefined) return inputs;
  if (missing !== undefined && missing.length > 0) io.stderr(`netprobe ${name}: --predict: missing permissions (nothing was created):\n${missing.map((p) => `  - ${p}`).join('\n')}\n`);
  else if (missing === undefined) io.stderr(`netprobe ${name}: --predict: cannot reach the cluster at ${target.server}\n`);
  return false;
}

export type PredictMode = 'files' | 'required' | 'auto' | 'off';

/** Where the policies come from (run, watch): --policies files, the cluster (--predict: or fail), the cluster when readable, or nowhere. */
export function predictMode(values: { policies?: string[] | undefined; predict?: boolean | undefined; 'no-predict'?: boolean | undefined }, dryRun: boolean): PredictMode {
  const files = (values.policies ?? []).length > 0;
  if (values.predict === true && values['no-predict'] === true) throw new UsageError('--predict and --no-predict exclude each other');
  if (files && (values.predict === true || values['no-predict'] === true)) throw new UsageError('--policies predicts from files; it excludes --predict and --no-predict');
  return files ? 'files' : values.predict === true ? 'required' : values['no-predict'] === true || dryRun ? 'off' : 'auto';
}
