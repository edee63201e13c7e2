// A policy change as `netprobe impact` takes it: the current state, the changed manifests (each replaces
// the policy of the same kind, namespace and name, or is added), and deletions (`--delete`, or a changed
// file left empty: it deletes the policies of the current file of the same name).
import { basename } from 'node:path';
import type { ManifestSet } from './manifests.ts';
import { policyKey } from './types.ts';

export interface PolicyChange {
  /** The after-state of every changed policy. */
  changed: ManifestSet;
  /** Keys to delete: `namespace/name` (NetworkPolicy), `anp/name`, `banp/name`. */
  deletes: readonly string[];
}

export interface AppliedChange {
  after: ManifestSet;
  /** Every key added, replaced or deleted (whether or not its content differs). */
  changedKeys: string[];
  /** Deletions that name no current policy. */
  unknownDeletes: string[];
}

export function policyKeysOf(set: Pick<ManifestSet, 'policies' | 'adminPolicies' | 'baselinePolicies'>): string[] {
  return [
    ...set.policies.map(policyKey),
    ...set.adminPolicies.map((p) => `anp/${p.metadata.name}`),
    ...set.baselinePolicies.map((p) => `banp/${p.metadata.name}`),
  ];
}

function replace<T>(current: readonly T[], next: readonly T[], key: (x: T) => string, drop: ReadonlySet<string>): T[] {
  const replaced = new Set(next.map(key));
  return [...current.filter((x) => !replaced.has(key(x)) && !drop.has(key(x))), ...next];
}

export function applyPolicyChange(base: ManifestSet, change: PolicyChange): AppliedChange {
  const current = new Set(policyKeysOf(base));
  const drop = new Set(change.deletes);
  const after: ManifestSet = {
    ...base,
    policies: replace(base.policies, change.changed.policies, policyKey, drop),
    adminPolicies: replace(base.adminPolicies, change.changed.adminPolicies, (p) => `anp/${p.metadata.name}`, drop),
    baselinePolicies: replace(base.baselinePolicies, change.changed.baselinePolicies, (p) => `banp/${p.metadata.name}`, drop),
  };
  const changedKeys = [...new Set([...policyKeysOf(change.changed), ...change.deletes.filter((k) => current.has(k))])];
  return { after, changedKeys, unknownDeletes: change.deletes.filter((k) => !current.has(k)) };
}

/** The keys of the current policies read from a file named like `emptied` (a changed file left empty). */
export function deletesForEmptyFile(emptied: string, currentByFile: readonly { file: string; keys: readonly string[] }[]): string[] {
  return currentByFile.filter((f) => basename(f.file) === basename(emptied)).flatMap((f) => f.keys);
}
