// Policy documents checked as the API server checks them under kubectl's default strict field validation:
// the shape (unknown fields with a did-you-mean, types, case-sensitive enums) and the cross-field rules.
// Every problem is a Diagnostic at file:line:col. Objects of other kinds are left to manifests.ts.
import { Document, isMap, isScalar, isSeq, visit, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../suite/diagnostics.ts';
import type { YamlDocument } from '../suite/load.ts';
import { validateDocument, type Positions } from '../suite/validate.ts';
import { SHAPES, isPolicyKind, type PolicyKind } from './api-shapes.ts';
import { apiRuleDiagnostics } from './api-rules.ts';

/** A policy object found in a file: its kind and its YAML node (a document, or an item of a List). */
export interface PolicyNode {
  kind: PolicyKind;
  node: YamlNode;
  source: YamlDocument;
}

function scalarOf(map: YamlNode, key: string): unknown {
  if (!isMap(map)) return undefined;
  const v = map.get(key, true);
  return isScalar(v) ? v.value : undefined;
}

/** The policy objects of one document: the document itself, or the items of a `List`. */
export function policyNodes(d: YamlDocument): PolicyNode[] {
  const contents = d.doc.contents as YamlNode | null;
  if (contents === null || !isMap(contents)) return [];
  const kind = scalarOf(contents, 'kind');
  if (isPolicyKind(kind)) return [{ kind, node: contents, source: d }];
  const items = contents.get('items', true);
  if (typeof kind !== 'string' || !kind.endsWith('List') || !isSeq(items)) return [];
  return items.items.flatMap((item) => {
    const k = scalarOf(item as YamlNode, 'kind');
    return isPolicyKind(k) ? [{ kind: k, node: item as YamlNode, source: d }] : [];
  });
}

/**
 * A copy of the object without what the API server does not read as the user's input: null values (an
 * absent field to the API), `status`, and the server-written metadata lists.
 */
function inputOf(node: YamlNode): Document {
  const doc = new Document();
  doc.contents = node.clone() as typeof doc.contents;
  visit(doc, {
    Pair(_key, pair) {
      const value = pair.value as YamlNode | null;
      if (value === null || (isScalar(value) && value.value === null)) return visit.REMOVE;
      return undefined;
    },
  });
  const top = doc.contents;
  if (isMap(top)) {
    top.delete('status');
    const meta = top.get('metadata', true);
    if (isMap(meta)) for (const k of ['managedFields', 'ownerReferences']) meta.delete(k);
  }
  return doc;
}

/** A policy object after the check: its plain value (for the lints) with where each part is written. */
export interface InspectedPolicy extends PolicyNode {
  value: unknown;
  positions: Positions;
  /** Every problem the API server would reject it for; empty: it would be admitted. */
  diagnostics: Diagnostic[];
}

export function inspectPolicyNode(p: PolicyNode): InspectedPolicy {
  const checked = validateDocument(inputOf(p.node), p.source.lines, p.source.file, SHAPES[p.kind]);
  const diagnostics = [...checked.diagnostics, ...apiRuleDiagnostics(p.kind, checked.value, checked.positions)];
  return { ...p, value: checked.value, positions: checked.positions, diagnostics };
}

/** Every problem the API server would reject this policy object for. */
export function checkPolicyNode(p: PolicyNode): Diagnostic[] {
  return inspectPolicyNode(p).diagnostics;
}

/** The problems of every policy object in these documents; other objects are not looked at. */
export function checkPolicyDocuments(documents: readonly YamlDocument[]): Diagnostic[] {
  return documents.flatMap((d) => policyNodes(d).flatMap(checkPolicyNode));
}
