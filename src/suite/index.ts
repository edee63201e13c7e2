// The suite loader's front door: paths -> Suites, with every problem as a Diagnostic.
// Other parts of netprobe call loadSuites (then expandSuites / selectExpectations), never the stages below.
import { isMap, isScalar } from 'yaml';
import type { Suite } from './model.ts';
import { type Diagnostic, diagnostic, formatPos, sortDiagnostics } from './diagnostics.ts';
import { DEFINITIONS, KIND } from './definitions.ts';
import { type LoadOptions, type YamlDocument, loadDocuments } from './load.ts';
import { nodePos, validateDocument } from './validate.ts';
import { normalizeSuite } from './normalize.ts';

export interface LoadResult {
  /** Valid suites (a suite with problems is left out; its problems are in `diagnostics`). */
  suites: Suite[];
  /** Every problem, sorted by file then position. Empty means the input is valid. */
  diagnostics: Diagnostic[];
  /** Files read, in load order. */
  files: string[];
}

/** A document whose `kind` is something else (a NetworkPolicy in the same folder): one message, no more. */
function foreignKind(d: YamlDocument): Diagnostic | undefined {
  const contents = d.doc.contents;
  if (!isMap(contents)) return undefined;
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'kind');
  if (!pair || !isScalar(pair.value) || pair.value.value === KIND) return undefined;
  const found = pair.value.value;
  if (typeof found !== 'string') return undefined;
  return diagnostic(nodePos(d.lines, d.file, pair.value), `kind: found \`${found}\`, expected \`${KIND}\` (only netprobe suites belong in suite paths)`);
}

/** Checks documents that are already parsed (for tests and tools holding text). */
export function suitesFromDocuments(documents: readonly YamlDocument[]): { suites: Suite[]; diagnostics: Diagnostic[] } {
  const suites: Suite[] = [];
  const diagnostics: Diagnostic[] = [];
  const firstByName = new Map<string, { pos: Suite['expectations'][number]['pos']; reported: boolean }>();
  const derived: { suite: Suite; index: number }[] = [];
  for (const d of documents) {
    const foreign = foreignKind(d);
    if (foreign) {
      diagnostics.push(foreign);
      continue;
    }
    const checked = validateDocument(d.doc, d.lines, d.file, DEFINITIONS.Suite);
    diagnostics.push(...checked.diagnostics);
    const problems: Diagnostic[] = [];
    const { suite, named } = normalizeSuite(checked.value, checked.positions, d.file, problems);
    diagnostics.push(...problems);
    if (!suite) continue;
    suite.expectations.forEach((e, index) => {
      if (!named[index]) {
        derived.push({ suite, index });
        return;
      }
      const first = firstByName.get(e.name);
      if (!first) {
        firstByName.set(e.name, { pos: e.pos, reported: false });
        return;
      }
      diagnostics.push(diagnostic(e.pos, `duplicate expectation name ${JSON.stringify(e.name)}; first defined at ${formatPos(first.pos)}, expected names unique across the run`));
      if (!first.reported) {
        first.reported = true;
        diagnostics.push(diagnostic(first.pos, `expectation name ${JSON.stringify(e.name)} is used again at ${formatPos(e.pos)}; expected names unique across the run`));
      }
    });
    if (d.clean && checked.diagnostics.length === 0 && problems.length === 0) suites.push(suite);
  }
  // Derived names give way to explicit ones and to each other with a stable suffix.
  for (const { suite, index } of derived) {
    const e = suite.expectations[index]!;
    let candidate = e.name;
    for (let n = 2; firstByName.has(candidate); n++) candidate = `${e.name} #${n}`;
    e.name = candidate;
    firstByName.set(candidate, { pos: e.pos, reported: false });
  }
  return { suites, diagnostics: sortDiagnostics(diagnostics, [...new Set(documents.map((d) => d.file))]) };
}

/**
 * Loads every suite under `paths` (files, or folders searched recursively for *.yaml/*.yml).
 * Never throws for bad input: missing paths, unreadable, binary, huge or empty files, YAML errors and
 * language errors all come back as diagnostics. `diagnostics.length === 0` means everything is valid.
 */
export async function loadSuites(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const loaded = await loadDocuments(paths, options);
  const { suites, diagnostics } = suitesFromDocuments(loaded.documents);
  return {
    suites,
    diagnostics: sortDiagnostics([...loaded.diagnostics, ...diagnostics], loaded.files),
    files: loaded.files,
  };
}

export type { Diagnostic } from './diagnostics.ts';
export { formatDiagnostic } from './diagnostics.ts';
export { expandExpectation, expandSuites } from './expand.ts';
export { caseLimitDiagnostics, DEFAULT_MAX_CASES } from './limits.ts';
export { parseOnly, selectExpectations, selectSuites } from './select.ts';
