// `netprobe validate` over a folder that holds suites and the manifests they are about: suites go to the
// suite checker, policy objects to the strict check (strict.ts), and the other Kubernetes objects (the
// state: Namespaces, Pods, Services, workloads) are read for the lints (lints-state.ts).
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import { sortDiagnostics, type Diagnostic } from '../suite/diagnostics.ts';
import { API_VERSION, KIND } from '../suite/definitions.ts';
import { suitesFromDocuments, type LoadResult } from '../suite/index.ts';
import { loadDocuments, type YamlDocument } from '../suite/load.ts';
import { isPolicyKind } from './api-shapes.ts';
import { manifestsFromObjects, mergeManifests, WORKLOAD_KINDS, type ManifestSet } from './manifests.ts';
import { inspectPolicyNode, policyNodes } from './strict.ts';
import type { LintFinding } from './lints.ts';
import { lintPolicies, type LintOptions } from './lints-state.ts';

const STATE_KINDS = new Set<string>(['Namespace', 'Pod', 'Service', ...WORKLOAD_KINDS]);

export interface SuitesAndPolicies extends LoadResult {
  /** How many policy objects were checked. */
  policies: number;
  /** Every Kubernetes object found, as the engine reads it. */
  manifests: ManifestSet;
  /** Lint warnings on the admitted NetworkPolicies, against the state found next to them. */
  lints: LintFinding[];
}

function field(d: YamlDocument, key: string): string | undefined {
  const contents = d.doc.contents as YamlNode | null;
  if (!isMap(contents)) return undefined;
  const value = contents.get(key, true);
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

/**
 * A Kubernetes object (a policy, a piece of state, a List, or another object of the same manifests, which
 * is skipped), not a suite: a suite with a mistyped kind still gets the suite checker's message.
 */
function isManifest(d: YamlDocument): boolean {
  const kind = field(d, 'kind');
  if (kind === undefined || kind === KIND) return false;
  if (isPolicyKind(kind) || STATE_KINDS.has(kind) || kind.endsWith('List')) return true;
  const apiVersion = field(d, 'apiVersion');
  return apiVersion !== undefined && apiVersion !== API_VERSION;
}

export async function loadSuitesAndPolicies(paths: readonly string[], lintOptions: LintOptions = {}): Promise<SuitesAndPolicies> {
  const loaded = await loadDocuments(paths);
  const manifestDocs = loaded.documents.filter(isManifest);
  const suiteDocs = loaded.documents.filter((d) => !isManifest(d));
  const { suites, diagnostics } = suitesFromDocuments(suiteDocs);
  const inspected = manifestDocs.flatMap(policyNodes).map(inspectPolicyNode);
  const policyDiagnostics: Diagnostic[] = inspected.flatMap((p) => p.diagnostics);
  const manifests = mergeManifests(manifestDocs.map((d) => manifestsFromObjects([d.doc.toJS()], `${d.file} document ${d.index + 1}`)));
  return {
    suites,
    files: loaded.files,
    policies: inspected.length,
    manifests,
    lints: lintPolicies(inspected, manifests, lintOptions),
    diagnostics: sortDiagnostics([...loaded.diagnostics, ...diagnostics, ...policyDiagnostics], loaded.files),
  };
}
