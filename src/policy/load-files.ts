// Reads manifest files and folders (recursively: *.yaml, *.yml, *.json) into one ManifestSet.
// The only module of the policy engine that does I/O.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeManifests, parseManifests, type ManifestSet } from './manifests.ts';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

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

/** Every file or folder in `paths`, parsed and merged. A path that does not exist throws. */
export async function loadManifestFiles(paths: readonly string[], defaultNamespace = 'default'): Promise<ManifestSet> {
  const sets: ManifestSet[] = [];
  for (const p of paths) {
    for (const file of await filesUnder(p)) {
      sets.push(parseManifests(await readFile(file, 'utf8'), file, defaultNamespace));
    }
  }
  return mergeManifests(sets);
}
