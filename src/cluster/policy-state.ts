// Reads what the policy engine judges against, live: Namespaces, NetworkPolicies, Pods and Services, and
// AdminNetworkPolicies / the BaselineAdminNetworkPolicy where their CRDs exist. A handful of list calls
// per namespace; the objects leave as plain data (src/policy/cluster-state.ts maps them).
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import { isNotFound } from './errors.ts';
import type { Permission } from './access.ts';
import type { PolicyObjects } from '../model/cluster.ts';

const ADMIN_GROUP = 'policy.networking.k8s.io';
const ADMIN_VERSION = 'v1alpha1';

/**
 * The client's models use the API's field names except where a name is a reserved word: an ingress rule's
 * `from` is `_from`. Renamed back here; everything else passes through a JSON round trip (no class
 * instances, no Dates).
 */
const RENAMED: Readonly<Record<string, string>> = { _from: 'from' };

export function apiFieldNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(apiFieldNames);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[RENAMED[k] ?? k] = apiFieldNames(v);
  return out;
}

function plain(kind: string, apiVersion: string, items: readonly object[]): Record<string, unknown>[] {
  return items.map((o) => ({ ...(apiFieldNames(JSON.parse(JSON.stringify(o))) as Record<string, unknown>), apiVersion, kind }));
}

/** The permissions readPolicyState needs for these namespaces (all namespaces when none are given). */
export function policyStatePermissions(namespaces?: readonly string[]): Permission[] {
  const perms: Permission[] = [
    { verb: 'list', resource: 'namespaces' },
  ];
  const resources: [string, string?][] = [['networkpolicies', 'networking.k8s.io'], ['pods'], ['services']];
  if (namespaces === undefined) {
    for (const [resource, group] of resources) perms.push(group ? { verb: 'list', resource, group } : { verb: 'list', resource });
  } else {
    for (const namespace of new Set(namespaces)) {
      for (const [resource, group] of resources) perms.push(group ? { verb: 'list', resource, group, namespace } : { verb: 'list', resource, namespace });
    }
  }
  return perms;
}

async function listAdmin(kc: k8s.KubeConfig, plural: string): Promise<object[]> {
  const custom = apiClient(kc, k8s.CustomObjectsApi);
  try {
    const list = (await custom.listClusterCustomObject({ group: ADMIN_GROUP, version: ADMIN_VERSION, plural })) as { items?: object[] };
    return list.items ?? [];
  } catch (err) {
    // No CRD (404) or no permission to read it (403): no admin tier to judge.
    if (isNotFound(err) || (err as { code?: number })?.code === 403) return [];
    throw err;
  }
}

/**
 * Namespaces (all of them: namespaceSelectors look everywhere), and the NetworkPolicies, Pods and Services
 * of `namespaces` (every namespace when undefined). Pods that ended, and pods netprobe created (label
 * `runLabel`), are left out.
 */
export async function readPolicyState(kc: k8s.KubeConfig, namespaces: readonly string[] | undefined, runLabel: string): Promise<PolicyObjects> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const net = apiClient(kc, k8s.NetworkingV1Api);
  const allNs = await core.listNamespace();
  const existing = new Set(allNs.items.map((n) => n.metadata?.name ?? ''));
  const wanted = namespaces === undefined ? undefined : [...new Set(namespaces)].filter((n) => existing.has(n));
  const notOurs = `!${runLabel}`;
  let policies: object[];
  let pods: object[];
  let services: object[];
  if (wanted === undefined) {
    const [p, po, s] = await Promise.all([
      net.listNetworkPolicyForAllNamespaces(),
      core.listPodForAllNamespaces({ labelSelector: notOurs }),
      core.listServiceForAllNamespaces(),
    ]);
    [policies, pods, services] = [p.items, po.items, s.items];
  } else {
    const per = await Promise.all(
      wanted.map((namespace) =>
        Promise.all([
          net.listNamespacedNetworkPolicy({ namespace }),
          core.listNamespacedPod({ namespace, labelSelector: notOurs }),
          core.listNamespacedService({ namespace }),
        ]),
      ),
    );
    policies = per.flatMap(([p]) => p.items);
    pods = per.flatMap(([, po]) => po.items);
    services = per.flatMap(([, , s]) => s.items);
  }
  pods = pods.filter((p) => {
    const phase = (p as k8s.V1Pod).status?.phase;
    return phase !== 'Succeeded' && phase !== 'Failed';
  });
  const [anps, banps] = await Promise.all([listAdmin(kc, 'adminnetworkpolicies'), listAdmin(kc, 'baselineadminnetworkpolicies')]);
  const adminApi = `${ADMIN_GROUP}/${ADMIN_VERSION}`;
  return {
    namespaces: plain('Namespace', 'v1', allNs.items),
    networkPolicies: plain('NetworkPolicy', 'networking.k8s.io/v1', policies),
    pods: plain('Pod', 'v1', pods),
    services: plain('Service', 'v1', services),
    adminNetworkPolicies: plain('AdminNetworkPolicy', adminApi, anps),
    baselineAdminNetworkPolicies: plain('BaselineAdminNetworkPolicy', adminApi, banps),
    scope: wanted === undefined ? 'all namespaces' : wanted.join(', '),
  };
}
