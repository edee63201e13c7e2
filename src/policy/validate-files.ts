// `netprobe validate` over a folder that holds suites and the manifests they are about: suites go to the
// suite checker, policy objects to the strict check (strict.ts), and the other Kubernetes objects (the
// state: Namespaces, Pods, Services, workloads) are read for the lints.
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import { sortDiagnostics, type Diagnostic } from '../suite/diagnostics.ts';
import { suitesFromDocuments, type LoadResult } from '../suite/index.ts';
import { loadDocuments, type YamlDocument } from '../suite/load.ts';
import { isPolicyKind } from './api-shapes.ts';
import { manifestsFromObjects, mergeManifests, WORKLOAD_KINDS, type ManifestSet } from './manifests.ts';
import { checkPolicyDocuments, policyNodes } from './strict.ts';

const STATE_KINDS = new Set<string>(['Namespace', 'Pod', 'Service', ...WORKLOAD_KINDS]);

export interface SuitesAndPolicies extends LoadResult {
  /** How many policy objects were checked. */
  policies: number;
  /** Every Kubernetes object found, as the engine reads it. */
  manifests: ManifestSet;
}

function kindOf(d: YamlDocument): string | undefined {
  const contents = d.doc.contents as YamlNode | null;
  if (!isMap(contents)) return undefined;
  const kind = contents.get('kind', true);
  return isScalar(kind) && typeof kind.value === 'string' ? kind.value : undefined;
}

/** A Kubernetes object netprobe reads (a policy, a piece of state, or a List of them), not a suite. */
function isManifest(d: YamlDocument): boolean {
  const kind = kindOf(d);
  return kind !== undefined && (isPolicyKind(kind) || STATE_KINDS.has(kind) || kind.endsWith('List'));
}

export async function loadSuitesAndPolicies(paths: readonly string[]): Promise<SuitesAndPolicies> {
  const loaded = await loadDocuments(paths);
  const manifestDocs = loaded.documents.filter(isManifest);
  const suiteDocs = loaded.documents.filter((d) => !isManifest(d));
  const { suites, diagnostics } = suitesFromDocuments(suiteDocs);
  const policyDiagnostics: Diagnostic[] = checkPolicyDocuments(manifestDocs);
  const manifests = mergeManifests(manifestDocs.map((d) => manifestsFromObjects([d.doc.toJS()], `${d.file} document ${d.index + 1}`)));
  return {
    suites,
    files: loaded.files,
    policies: manifestDocs.reduce((n, d) => n + policyNodes(d).length, 0),
    manifests,
    diagnostics: sortDiagnostics([...loaded.diagnostics, ...diagnostics, ...policyDiagnostics], loaded.files),
  };
}
