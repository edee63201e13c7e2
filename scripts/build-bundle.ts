// Bundles the command line and its dependencies into one CommonJS file, dist/netprobe.cjs: what the npm
// package runs (Node does not strip types under node_modules) and what the standalone executables embed
// (a single-executable application runs one CommonJS script). Next to it, the licences of the bundled
// packages. Usage: node scripts/build-bundle.ts
// esbuild runs through its command line, so that type-checking does not need it installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const BUNDLE = 'dist/netprobe.cjs';
const LICENSES = 'dist/THIRD_PARTY_LICENSES.txt';
const METAFILE = 'dist/.cache/bundle-meta.json';

/** The part of esbuild's metafile used here: the input files, by path. */
interface Metafile {
  inputs: Record<string, unknown>;
}

export function buildBundle(): void {
  execFileSync('node_modules/.bin/esbuild', [
    'src/cli/bin.ts', `--outfile=${BUNDLE}`, '--bundle', '--platform=node', '--format=cjs', '--target=node22.19',
    '--minify', '--legal-comments=none', `--metafile=${METAFILE}`, '--log-level=warning',
  ], { stdio: 'inherit' });
  writeFileSync(LICENSES, licenses(JSON.parse(readFileSync(METAFILE, 'utf8')) as Metafile));
}

/** The package folders (node_modules/NAME or node_modules/@SCOPE/NAME) the bundle took code from. */
function bundledPackages(metafile: Metafile): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]!);
  }
  return [...dirs].sort();
}

function licenses(metafile: Metafile): string {
  return bundledPackages(metafile)
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
      const file = existsSync(dir) ? readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f)) : undefined;
      const text = file ? readFileSync(path.join(dir, file), 'utf8').trim() : `(no licence file; package.json says ${pkg.license ?? 'nothing'})`;
      return `${pkg.name} ${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text}\n`;
    })
    .join(`\n${'-'.repeat(72)}\n\n`);
}

if (import.meta.main) {
  buildBundle();
  console.error(`${BUNDLE}: ${(statSync(BUNDLE).size / 1e6).toFixed(2)} MB`);
}
