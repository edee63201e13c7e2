// Least-privilege RBAC for a list of permissions (what the run's pre-check asks about): one Role and
// RoleBinding per namespace, and a ClusterRole only for what is cluster-wide, which must be read-only.
// Pure: objects in, objects and YAML out; `netprobe rbac` prints them, unit tests check them with grants().
import { Document, isScalar, isSeq, visit } from 'yaml';
import type { Permission } from './access.ts';

/** Who the Roles are bound to: a ServiceAccount (a CI job, an in-cluster runner) or a user or group. */
export type Subject =
  | { kind: 'ServiceAccount'; name: string; namespace: string }
  | { kind: 'User' | 'Group'; apiGroup: 'rbac.authorization.k8s.io'; name: string };

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface Meta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
}

export type RbacObject =
  | { apiVersion: 'rbac.authorization.k8s.io/v1'; kind: 'Role' | 'ClusterRole'; metadata: Meta; rules: RbacRule[] }
  | {
      apiVersion: 'rbac.authorization.k8s.io/v1';
      kind: 'RoleBinding' | 'ClusterRoleBinding';
      metadata: Meta;
      subjects: Subject[];
      roleRef: { apiGroup: 'rbac.authorization.k8s.io'; kind: 'Role' | 'ClusterRole'; name: string };
    };

const API_VERSION = 'rbac.authorization.k8s.io/v1';
const LABELS = { 'app.kubernetes.io/name': 'netprobe', 'app.kubernetes.io/component': 'rbac' };
const READ_VERBS = new Set(['get', 'list', 'watch']);

const resourceOf = (p: Permission): string => (p.subresource ? `${p.resource}/${p.subresource}` : p.resource);

/** Permissions by namespace, and the cluster-wide ones; throws if a cluster-wide one would write. */
function splitPermissions(perms: readonly Permission[]): { byNamespace: Map<string, Permission[]>; clusterWide: Permission[] } {
  const byNamespace = new Map<string, Permission[]>();
  const clusterWide: Permission[] = [];
  for (const p of perms) {
    if (p.namespace === undefined) clusterWide.push(p);
    else byNamespace.set(p.namespace, [...(byNamespace.get(p.namespace) ?? []), p]);
  }
  const writes = clusterWide.filter((p) => !READ_VERBS.has(p.verb));
  if (writes.length > 0) throw new Error(`refusing a cluster-wide grant that writes: ${writes.map((p) => `${p.verb} ${resourceOf(p)}`).join(', ')}`);
  return { byNamespace, clusterWide };
}

/** Permissions as rules: one per API group and set of verbs, listing every resource that needs exactly those. */
export function rulesFor(perms: readonly Permission[]): RbacRule[] {
  const verbsBy = new Map<string, Set<string>>();
  for (const p of perms) {
    const key = `${p.group ?? ''}\n${resourceOf(p)}`;
    const verbs = verbsBy.get(key) ?? new Set<string>();
    verbs.add(p.verb);
    verbsBy.set(key, verbs);
  }
  const rules = new Map<string, RbacRule>();
  for (const [key, verbSet] of verbsBy) {
    const [group, resource] = key.split('\n') as [string, string];
    const verbs = [...verbSet].sort();
    const ruleKey = `${group}\n${verbs.join(',')}`;
    const rule = rules.get(ruleKey) ?? { apiGroups: [group], resources: [], verbs };
    rule.resources.push(resource);
    rules.set(ruleKey, rule);
  }
  for (const r of rules.values()) r.resources.sort();
  return [...rules.values()].sort((a, b) => a.apiGroups[0]!.localeCompare(b.apiGroups[0]!) || a.resources[0]!.localeCompare(b.resources[0]!));
}

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, namespace: string | undefined, subject: Subject): RbacObject {
  const roleKind = kind === 'RoleBinding' ? 'Role' : 'ClusterRole';
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: { name, ...(namespace !== undefined ? { namespace } : {}), labels: { ...LABELS } },
    subjects: [{ ...subject }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
  };
}

/**
 * A Role and a RoleBinding `name` in every namespace the permissions name, and a ClusterRole and
 * ClusterRoleBinding `name-read` for the cluster-wide ones. Throws if a cluster-wide permission would
 * write: that would reach every namespace, which is what this exists to prevent.
 */
export function rbacManifests(perms: readonly Permission[], subject: Subject, name = 'netprobe'): RbacObject[] {
  const { byNamespace, clusterWide } = splitPermissions(perms);
  const out: RbacObject[] = [];
  if (clusterWide.length > 0) {
    const readName = `${name}-read`;
    out.push({ apiVersion: API_VERSION, kind: 'ClusterRole', metadata: { name: readName, labels: { ...LABELS } }, rules: rulesFor(clusterWide) });
    out.push(binding('ClusterRoleBinding', readName, undefined, subject));
  }
  for (const namespace of [...byNamespace.keys()].sort()) {
    out.push({ apiVersion: API_VERSION, kind: 'Role', metadata: { name, namespace, labels: { ...LABELS } }, rules: rulesFor(byNamespace.get(namespace)!) });
    out.push(binding('RoleBinding', name, namespace, subject));
  }
  return out;
}

/** The same rules as rbacManifests, as the values of charts/netprobe: Role rules by namespace, ClusterRole rules. */
export interface RbacValues {
  roles: Record<string, RbacRule[]>;
  clusterRules: RbacRule[];
}

export function rbacValues(perms: readonly Permission[]): RbacValues {
  const { byNamespace, clusterWide } = splitPermissions(perms);
  const roles: Record<string, RbacRule[]> = {};
  for (const namespace of [...byNamespace.keys()].sort()) roles[namespace] = rulesFor(byNamespace.get(namespace)!);
  return { roles, clusterRules: rulesFor(clusterWide) };
}

const matches = (list: readonly string[], value: string): boolean => list.includes(value) || list.includes('*');

function ruleAllows(rule: RbacRule, p: Permission): boolean {
  return matches(rule.apiGroups, p.group ?? '') && matches(rule.resources, resourceOf(p)) && matches(rule.verbs, p.verb);
}

/** Whether these objects let the subject do p, as the RBAC authorizer decides it (no aggregation, no resourceNames). */
export function grants(objects: readonly RbacObject[], subject: Subject, p: Permission): boolean {
  const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
  return objects.some((b) => {
    if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') return false;
    if (!b.subjects.some((s) => s.kind === subject.kind && s.name === subject.name && ('namespace' in s ? s.namespace : undefined) === ('namespace' in subject ? subject.namespace : undefined))) return false;
    // A RoleBinding reaches only its own namespace; a ClusterRoleBinding reaches every one.
    if (b.kind === 'RoleBinding' && b.metadata.namespace !== p.namespace) return false;
    const role = roles.find((r) => r.kind === b.roleRef.kind && r.metadata.name === b.roleRef.name && (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace));
    return role !== undefined && 'rules' in role && role.rules.some((r) => ruleAllows(r, p));
  });
}

/** One object as YAML, lists of names on one line as people write RBAC by hand: `verbs: [create, get]`. */
function toYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, { Seq: (_, node) => void (isSeq(node) && node.items.every(isScalar) && (node.flow = true)) });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}

const commentLines = (comments: readonly string[]): string => comments.map((c) => `# ${c}`.trimEnd().concat('\n')).join('');

/** The objects as one multi-document YAML stream for `kubectl apply -f -`, after comment lines. */
export function renderRbac(objects: readonly RbacObject[], comments: readonly string[]): string {
  return `${commentLines(comments)}${objects.map((o) => `---\n${toYaml(o)}`).join('\n')}\n`;
}

/** The rules as a values file of charts/netprobe (`rbac.roles`, `rbac.clusterRules`), after comment lines. */
export function renderRbacValues(values: RbacValues, comments: readonly string[]): string {
  return `${commentLines(comments)}${toYaml({ rbac: values })}\n`;
}
