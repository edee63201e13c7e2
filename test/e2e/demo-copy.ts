// A copy of the demo shop in a test's own namespaces: the shared demo-* namespaces are never touched.
// Namespace names and `team` labels are renamed (so no selector of the original reaches the copy), and
// the echo image is filled in as scripts/demo-app does.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { kubectl, REPO } from './support.ts';

export class DemoCopy {
  readonly prefix: string;
  readonly namespaces: string[];
  readonly #echoImage: string;

  constructor(name: string, echoImage: string) {
    this.prefix = `${name}-${Date.now().toString(36).slice(-5)}`;
    this.namespaces = ['frontend', 'api', 'db', 'open'].map((n) => `${this.prefix}-${n}`);
    this.#echoImage = echoImage;
  }

  /** Demo text (manifests, commands) for this copy. */
  rename(text: string): string {
    return text
      .replace(/demo-(frontend|api|db|open)/g, `${this.prefix}-$1`)
      .replace(/team: (frontend|api|data|tools)\b/g, `team: ${this.prefix}-$1`)
      .replace(/@ECHO_IMAGE@/g, this.#echoImage);
  }

  /** Applies the renamed manifests of these repository folders, and waits for every Deployment. */
  async apply(dirs: readonly string[]): Promise<void> {
    const files = dirs.flatMap((d) => readdirSync(path.join(REPO, d)).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(REPO, d, f)));
    await kubectl(['apply', '-f', '-'], files.map((f) => this.rename(readFileSync(f, 'utf8'))).join('\n---\n'));
    for (const ns of this.namespaces) await kubectl(['-n', ns, 'rollout', 'status', 'deployment', '--timeout=300s']);
  }

  async delete(): Promise<void> {
    await kubectl(['delete', 'namespace', ...this.namespaces, '--wait=false', '--ignore-not-found']).catch(() => undefined);
  }
}
