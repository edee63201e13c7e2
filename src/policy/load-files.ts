// Reads manifest files and folders (recursively: *.yaml, *.yml, *.json) into one ManifestSet, and checks
// every policy object in them as the API server would (strict.ts): problems come back as Diagnostics at
// file:line:col, for the command to refuse the input. The only module of the policy engine that does I/O.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { diagnostic, type Diagnostic } from '../suite/diagnostics.ts';
import { readText, type YamlDocument } from '../suite/load.ts';
import { mergeManifests, parseManifests, type ManifestSet } from './manifests.ts';
import { inspectPolicyNode, policyNodes, type InspectedPolicy } from './strict.ts';
import { policyKeysOf } from './impact-change.ts';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export interface LoadedManifests extends ManifestSet {
  /** What the API server would reject (and unreadable files, YAML syntax errors), each at file:line:col. */
  diagnostics: Diagnostic[];
  /** The files read, in order. */
  files: string[];
  /** The policy keys each file holds (impact: a changed file left empty deletes them). */
  perFile: { file: string; keys: string[] }[];
  /** Every policy object after the strict check, with positions (the lints read them). */
  inspected: InspectedPolicy[];
}

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const full = join(path, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full)));
    else if (MANIFEST_FILE.test(e.name)) out.push(full);
  }
  return out;
}

/** YAML documents with positions, for the strict check; an empty file is no error (it deletes, for impact). */
export function manifestDocuments(file: string, text: string): { documents: YamlDocument[]; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const documents: YamlDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true }).forEach((doc, index) => {
    if (!('errors' in doc)) return;
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      diagnostics.push(diagnostic({ file, line, col }, `YAML: ${e.message.split('\n')[0]}`));
    }
    if (doc.errors.length === 0 && doc.contents !== null) documents.push({ file, index, doc, lines, clean: true });
  });
  return { documents, diagnostics };
}

interface LoadedFile {
  set: ManifestSet;
  diagnostics: Diagnostic[];
  /** Its policy objects after the strict check (the lints read them). */
  inspected: InspectedPolicy[];
}

/** One file: its objects, and the problems of its policy objects. */
export async function loadManifestFile(file: string, defaultNamespace = 'default'): Promise<LoadedFile> {
  const read = await readText(file);
  if ('diagnostic' in read) return { set: parseManifests('', file, defaultNamespace), diagnostics: [read.diagnostic], inspected: [] };
  const { documents, diagnostics } = manifestDocuments(file, read.text);
  const inspected = documents.flatMap(policyNodes).map(inspectPolicyNode);
  return { set: parseManifests(read.text, file, defaultNamespace), diagnostics: [...diagnostics, ...inspected.flatMap((p) => p.diagnostics)], inspected };
}

/** Every file or folder in `paths`, parsed, checked and merged. A path that does not exist throws. */
export async function loadManifestFiles(paths: readonly string[], defaultNamespace = 'default'): Promise<LoadedManifests> {
  const sets: ManifestSet[] = [];
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const perFile: LoadedManifests['perFile'] = [];
  const inspected: InspectedPolicy[] = [];
  for (const p of paths) {
    for (const file of await filesUnder(p)) {
      const loaded = await loadManifestFile(file, defaultNamespace);
      files.push(file);
      perFile.push({ file, keys: policyKeysOf(loaded.set) });
      sets.push(loaded.set);
      diagnostics.push(...loaded.diagnostics);
      inspected.push(...loaded.inspected);
    }
  }
  return { ...mergeManifests(sets), diagnostics, files, perFile, inspected };
}
