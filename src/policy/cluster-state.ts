// Objects read from a live cluster (src/cluster/policy-state.ts, plain data in the API's JSON form) mapped
// to the engine's input: the same ManifestSet that --policies files give, with each pod tied to the
// workload that owns it (a Deployment through its ReplicaSet) so suite workload peers resolve. Pure.
import type { PolicyObjects } from '../model/cluster.ts';
import { manifestsFromObjects, type ManifestSet } from './manifests.ts';

type Obj = Record<string, unknown>;

interface OwnerRef {
  kind?: unknown;
  name?: unknown;
  controller?: unknown;
}

/**
 * The workload that owns a pod: its controller owner, and for a ReplicaSet made by a Deployment (its name
 * is the Deployment's plus `-<pod-template-hash>`), the Deployment.
 */
export function owningWorkload(meta: { ownerReferences?: unknown; labels?: unknown }): { kind: string; name: string } | undefined {
  const refs = Array.isArray(meta.ownerReferences) ? (meta.ownerReferences as OwnerRef[]) : [];
  const owner = refs.find((r) => r.controller === true) ?? refs[0];
  if (owner === undefined || typeof owner.kind !== 'string' || typeof owner.name !== 'string') return undefined;
  const labels = (typeof meta.labels === 'object' && meta.labels !== null ? meta.labels : {}) as Record<string, unknown>;
  const hash = labels['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && typeof hash === 'string' && owner.name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: owner.name.slice(0, -(hash.length + 1)) };
  }
  return { kind: owner.kind, name: owner.name };
}

export function manifestsFromCluster(objects: PolicyObjects): ManifestSet {
  const set = manifestsFromObjects(
    [
      ...objects.namespaces,
      ...objects.networkPolicies,
      ...objects.pods,
      ...objects.services,
      ...objects.adminNetworkPolicies,
      ...objects.baselineAdminNetworkPolicies,
    ],
    `cluster (${objects.scope})`,
  );
  const owners = new Map<string, { kind: string; name: string }>();
  for (const p of objects.pods) {
    const meta = (p['metadata'] ?? {}) as Obj;
    const owner = owningWorkload(meta);
    if (owner !== undefined) owners.set(`${String(meta['namespace'])}/${String(meta['name'])}`, owner);
  }
  set.pods = set.pods.map((p) => {
    const owner = owners.get(`${p.namespace}/${p.name}`);
    return owner === undefined ? p : { ...p, workload: owner };
  });
  set.skipped = [];
  return set;
}
