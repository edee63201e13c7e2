// Pins a release into the GitHub Action (action.yml at the repository root): adds the sha256 of each
// release archive to action/SHA256SUMS as `SHA256  vVERSION/FILE` (replacing that version's lines, keeping
// older versions' lines, so the action at a tag can still install an earlier version), and sets the
// action's default `version` input. scripts/release runs it on the commit it tags, so the checksums the
// action checks come from its own repository, not from the server it downloads from.
// Usage: node scripts/pin-action.ts DIST_SHA256SUMS [ROOT]   (ROOT: where action.yml is; default .)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The archives of a build's SHA256SUMS (`HASH  FILE` lines), as [hash, file]. */
export function archiveSums(sums: string): [string, string][] {
  return sums.split('\n').flatMap((line) => {
    const m = /^([0-9a-f]{64}) [ *](netprobe-linux-[a-z0-9]+\.tar\.gz)$/.exec(line.trim());
    return m === null ? [] : [[m[1] ?? '', m[2] ?? ''] as [string, string]];
  });
}

/** action/SHA256SUMS with `version`'s lines replaced by `archives` (comments and other versions kept). */
export function pinnedSums(existing: string, version: string, archives: readonly [string, string][]): string {
  const prefix = `v${version}/`;
  const kept = existing.split('\n').filter((line) => line !== '' && line.split(/\s+/)[1]?.startsWith(prefix) !== true);
  return `${[...kept, ...archives.map(([hash, file]) => `${hash}  ${prefix}${file}`)].join('\n')}\n`;
}

const VERSION_DEFAULT = /^( {2}version:\n(?: {4}[^\n]*\n)*? {4}default: )'[^'\n]*'$/m;

/** action.yml with the `version` input's default set to `version`; throws when that line is not found. */
export function withVersion(actionYml: string, version: string): string {
  if (!VERSION_DEFAULT.test(actionYml)) throw new Error("action.yml: no `default: '...'` under inputs.version");
  return actionYml.replace(VERSION_DEFAULT, `$1'${version}'`);
}

/** The version default action.yml holds now. */
export function actionVersion(actionYml: string): string | undefined {
  return /'([^'\n]*)'$/.exec(VERSION_DEFAULT.exec(actionYml)?.[0] ?? '')?.[1];
}

if (import.meta.main) {
  const [sumsFile, root = '.'] = process.argv.slice(2);
  if (sumsFile === undefined) {
    console.error('usage: node scripts/pin-action.ts DIST_SHA256SUMS [ROOT]');
    process.exit(2);
  }
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const archives = archiveSums(readFileSync(sumsFile, 'utf8'));
  if (archives.length === 0) {
    console.error(`pin-action: ${sumsFile} lists no netprobe-linux-*.tar.gz`);
    process.exit(1);
  }
  const sumsPath = path.join(root, 'action/SHA256SUMS');
  const actionPath = path.join(root, 'action.yml');
  writeFileSync(sumsPath, pinnedSums(readFileSync(sumsPath, 'utf8'), version, archives));
  writeFileSync(actionPath, withVersion(readFileSync(actionPath, 'utf8'), version));
  console.log(`pin-action: v${version}: ${archives.map(([, f]) => f).join(', ')} pinned in ${sumsPath}`);
}
