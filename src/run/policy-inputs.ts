// The policies a command judges with: read from manifest files or from the live cluster, and the engine
// built over them. The CLI prints what goes wrong (src/cli/policy-inputs.ts).
import type * as k8s from '@kubernetes/client-node';
import { describePermission, missingPermissions, type Permission } from '../cluster/access.ts';
import { RUN_LABEL } from '../cluster/labels.ts';
import { AdminPolicyEngine } from '../policy/admin.ts';
import { manifestsFromCluster } from '../policy/cluster-state.ts';
import type { ManifestSet } from '../policy/manifests.ts';

export interface PolicyInputs {
  manifests: ManifestSet;
  engine: AdminPolicyEngine;
}

/** The engine over `manifests`, and what it could not read (warnings for stderr). */
export function policyEngine(manifests: ManifestSet): { inputs: PolicyInputs; warnings: string[] } {
  const engine = new AdminPolicyEngine(manifests);
  const warnings = [...manifests.problems, ...engine.policies.flatMap((cp) => cp.problems.map((p) => `${cp.key}: ${p}`))];
  return { inputs: { manifests, engine }, warnings };
}

/** The policy state read live for these namespaces (all when undefined), without netprobe's own pods. Throws API errors. */
export async function readClusterPolicies(kc: k8s.KubeConfig, namespaces: readonly string[] | undefined): Promise<{ inputs: PolicyInputs; warnings: string[] }> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { readPolicyState } = await import('../cluster/policy-state.ts');
  return policyEngine(manifestsFromCluster(await readPolicyState(kc, namespaces, RUN_LABEL)));
}

/**
 * What this identity lacks to read the policy state of these namespaces, each as text (`list pods in
 * namespace shop`); undefined when the cluster could not be asked.
 */
export async function missingForPrediction(kc: k8s.KubeConfig, namespaces: readonly string[]): Promise<string[] | undefined> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { policyStatePermissions } = await import('../cluster/policy-state.ts');
  const missing = await missingPermissions(kc, policyStatePermissions(namespaces)).catch(() => undefined);
  return missing?.map(describePermission);
}

/** The permissions reading the policy state of these namespaces takes (`netprobe rbac --predict`). */
export async function predictionPermissions(namespaces: readonly string[]): Promise<Permission[]> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { policyStatePermissions } = await import('../cluster/policy-state.ts');
  return policyStatePermissions(namespaces);
}
