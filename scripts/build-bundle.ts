// Bundles the command line and its dependencies into one CommonJS file, dist/netprobe.cjs: what the npm
// package runs (Node does not strip types under node_modules) and what the standalone executables embed
// (a single-executable application runs one CommonJS script). Next to it, the licences of the bundled
// packages. Usage: node scripts/build-bundle.ts
import { build, type Metafile } from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const BUNDLE = 'dist/netprobe.cjs';
const LICENSES = 'dist/THIRD_PARTY_LICENSES.txt';

export async function buildBundle(): Promise<void> {
  const { metafile } = await build({
    entryPoints: ['src/cli/bin.ts'],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22.19',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(LICENSES, licenses(metafile));
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
  await buildBundle();
  console.error(`${BUNDLE}: ${(statSync(BUNDLE).size / 1e6).toFixed(2)} MB`);
}
