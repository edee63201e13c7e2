// Before creating anything: can this identity do what a run needs? Asked with one SelfSubjectRulesReview
// per namespace and SelfSubjectAccessReview for the rest, so the answer names exactly what is missing.
// The client is loaded only to ask: the permission lists serve `netprobe rbac`, which needs no cluster.
import type * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';

export interface Permission {
  verb: string;
  resource: string;
  subresource?: string;
  group?: string;
  namespace?: string;
}

export function describePermission(p: Permission): string {
  const res = `${p.resource}${p.subresource ? `/${p.subresource}` : ''}${p.group ? `.${p.group}` : ''}`;
  return `${p.verb} ${res}${p.namespace ? ` in namespace ${p.namespace}` : ' (cluster-wide)'}`;
}

/**
 * What a run needs: read the namespaces it names; create, exec into and delete pods (and
 * their owner, src/cluster/run-owner.ts) where it probes.
 * Everything is per namespace, so namespaced Roles can grant it: a namespace is looked up with a get of
 * that one namespace, which a RoleBinding in it can allow (src/cluster/read.ts), not a cluster-wide list.
 */
export function runPermissions(readNamespaces: readonly string[], podNamespaces: readonly string[]): Permission[] {
  const perms: Permission[] = [];
  for (const namespace of new Set(readNamespaces)) {
    perms.push({ verb: 'get', resource: 'namespaces', namespace });
    for (const resource of ['pods', 'services', 'serviceaccounts']) perms.push({ verb: 'list', resource, namespace });
    for (const resource of ['deployments', 'statefulsets', 'daemonsets']) perms.push({ verb: 'list', resource, group: 'apps', namespace });
  }
  for (const namespace of new Set(podNamespaces)) {
    perms.push({ verb: 'create', resource: 'pods', namespace });
    perms.push({ verb: 'deletecollection', resource: 'pods', namespace });
    // Exec travels as a WebSocket GET, which API servers from 1.31 also check as create.
    perms.push({ verb: 'get', resource: 'pods', subresource: 'exec', namespace });
    perms.push({ verb: 'create', resource: 'pods', subresource: 'exec', namespace });
    // The run's owner of its pods and heartbeat, and the Job that expires it (src/cluster/run-owner.ts).
    // get: reading back the uid when a retried create met its own object.
    for (const verb of ['create', 'get', 'patch', 'delete']) perms.push({ verb, resource: 'leases', group: 'coordination.k8s.io', namespace });
    for (const verb of ['create', 'get', 'delete']) perms.push({ verb, resource: 'jobs', group: 'batch', namespace });
    // Which budgets netprobe's pods hold up while they exist (src/run/disruption-budgets.ts).
    perms.push({ verb: 'list', resource: 'poddisruptionbudgets', group: 'policy', namespace });
  }
  return perms;
}

/** What probing from inside running pods needs: add an ephemeral container, then exec into it. */
export function ephemeralPermissions(namespaces: readonly string[]): Permission[] {
  const perms: Permission[] = [];
  for (const namespace of new Set(namespaces)) {
    perms.push({ verb: 'get', resource: 'pods', namespace });
    perms.push({ verb: 'update', resource: 'pods', subresource: 'ephemeralcontainers', namespace });
    perms.push({ verb: 'get', resource: 'pods', subresource: 'exec', namespace });
    perms.push({ verb: 'create', resource: 'pods', subresource: 'exec', namespace });
  }
  return perms;
}

/**
 * What --verify-targets needs where deny targets run: add an ephemeral container to a pod, read the
 * pod's status until it ends, then its log (the container prints the socket tables; no exec).
 */
export function verifyPermissions(namespaces: readonly string[]): Permission[] {
  const perms: Permission[] = [];
  for (const namespace of new Set(namespaces)) {
    perms.push({ verb: 'get', resource: 'pods', namespace });
    perms.push({ verb: 'update', resource: 'pods', subresource: 'ephemeralcontainers', namespace });
    perms.push({ verb: 'get', resource: 'pods', subresource: 'log', namespace });
  }
  return perms;
}

/** Where netprobe only starts echo servers: what probe pods need there, less exec (nothing execs into a server). */
export function serverPermissions(namespaces: readonly string[]): Permission[] {
  return runPermissions([], namespaces).filter((p) => p.subresource !== 'exec');
}

/**
 * What reading the pod budget (src/cluster/budget.ts) asks: the ResourceQuotas where pods go, and with
 * `capacity` the node view (nodes, and every pod to count what holds each node's slots), cluster-wide and
 * read-only. Not checked before a run: without them the run says what it could not read and goes on.
 */
export function budgetPermissions(podNamespaces: readonly string[], capacity: boolean): Permission[] {
  const perms: Permission[] = [...new Set(podNamespaces)].map((namespace) => ({ verb: 'list', resource: 'resourcequotas', namespace }));
  if (capacity) perms.push({ verb: 'list', resource: 'nodes' }, { verb: 'list', resource: 'pods' });
  return perms;
}

/** Whether one rule of a SelfSubjectRulesReview grants `p` (a rule limited to resourceNames grants no list or create). */
export function ruleGrants(rule: k8s.V1ResourceRule, p: Permission): boolean {
  const has = (list: readonly string[] | undefined, value: string): boolean => (list ?? []).includes('*') || (list ?? []).includes(value);
  const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  const resources = rule.resources ?? [];
  const resourceOk = resources.includes('*') || resources.includes(resource) || (p.subresource !== undefined && (resources.includes(`*/${p.subresource}`) || resources.includes(`${p.resource}/*`)));
  return has(rule.verbs, p.verb) && has(rule.apiGroups, p.group ?? '') && resourceOk && (rule.resourceNames ?? []).length === 0;
}

async function askEach(authz: k8s.AuthorizationV1Api, perms: readonly Permission[]): Promise<Permission[]> {
  const answers = await Promise.all(
    perms.map(async (p) => {
      const attrs: k8s.V1ResourceAttributes = { verb: p.verb, resource: p.resource };
      if (p.subresource) attrs.subresource = p.subresource;
      if (p.group) attrs.group = p.group;
      if (p.namespace) attrs.namespace = p.namespace;
      const review = await authz.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } },
      });
      return review.status?.allowed === true ? undefined : p;
    }),
  );
  return answers.filter((p): p is Permission => p !== undefined);
}

/** The permissions of one namespace its rules (one SelfSubjectRulesReview) do not show granted; all of them when the review is incomplete. */
async function notShownGranted(authz: k8s.AuthorizationV1Api, namespace: string, perms: readonly Permission[]): Promise<Permission[]> {
  // An API server that cannot answer it (or refuses it) leaves every permission to be asked one by one.
  const review = await authz.createSelfSubjectRulesReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } } }).catch(() => undefined);
  if (review?.status === undefined || review.status.incomplete === true) return [...perms];
  const rules = review.status.resourceRules ?? [];
  return perms.filter((p) => !rules.some((r) => ruleGrants(r, p)));
}

/**
 * What of `perms` this identity may not do. One rules review per namespace answers most of them at once (a
 * run asks some 75 permissions over a few namespaces); what it does not show granted, and what is
 * cluster-wide, is asked one by one (SelfSubjectAccessReview), so an authorizer the rules review cannot
 * list (a webhook) still decides, and the answer names exactly what is missing.
 */
export async function missingPermissions(kc: k8s.KubeConfig, perms: readonly Permission[]): Promise<Permission[]> {
  const { AuthorizationV1Api } = await import('@kubernetes/client-node');
  const authz = apiClient(kc, AuthorizationV1Api);
  const byNamespace = new Map<string, Permission[]>();
  for (const p of perms) if (p.namespace) byNamespace.set(p.namespace, [...(byNamespace.get(p.namespace) ?? []), p]);
  const unshown = await Promise.all([...byNamespace].map(([ns, list]) => notShownGranted(authz, ns, list)));
  const missing = new Set(await askEach(authz, [...perms.filter((p) => !p.namespace), ...unshown.flat()]));
  return perms.filter((p) => missing.has(p));
}
