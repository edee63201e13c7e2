// The one-way flow, enforced: files -> suite -> plan -> probe results -> verdicts -> reports. Reads every
// import in src/ and fails on an import against the flow, on an import cycle, and on an `await import()`
// that is not real lazy loading: it must load @kubernetes/client-node (1-2 s to load, measured on this
// machine) that the command may not need, and say so in a comment. docs/architecture.md draws the rules.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve(import.meta.dirname, '../../../src');

/** Which folders each folder of src/ may import from (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  util: [],
  model: ['util'],
  suite: ['model', 'util'],
  policy: ['model', 'suite', 'util'],
  cluster: ['model', 'util'],
  plan: ['model', 'suite', 'policy', 'util'],
  probe: ['plan', 'cluster', 'model', 'suite', 'util'],
  verdict: ['probe', 'plan', 'policy', 'suite', 'model', 'util'],
  report: ['verdict', 'probe', 'plan', 'suite', 'model', 'util', 'schema'],
  // The pipelines: they compose the layers above and talk to the cluster through src/cluster.
  run: ['verdict', 'probe', 'plan', 'policy', 'cluster', 'suite', 'model', 'report', 'util'],
  incident: ['run', 'verdict', 'probe', 'plan', 'policy', 'cluster', 'suite', 'model', 'report', 'util'],
  doctor: ['run', 'verdict', 'probe', 'plan', 'policy', 'cluster', 'suite', 'model', 'report', 'util'],
  // The CLI parses flags, calls a pipeline and renders its result.
  cli: ['run', 'incident', 'doctor', 'report', 'verdict', 'probe', 'plan', 'policy', 'suite', 'model', 'util', 'cluster'],
};

interface Edge {
  from: string;
  /** An absolute path, or a package name. */
  to: string;
  typeOnly: boolean;
  line: number;
  dynamic: boolean;
  commented: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function edgesOf(file: string): Edge[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const text = lines.join('\n');
  const out: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
    const dynamic = m[2] !== undefined;
    // A comment on the line, or above the group of lazy imports it belongs to.
    let above = line - 2;
    while (above >= 0 && /await import\(/.test(lines[above]!)) above--;
    const near = `${lines[line - 1]}\n${lines[above] ?? ''}`;
    const to = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
    const typeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0]);
    out.push({ from: file, to, typeOnly, line, dynamic, commented: /\/\/|\/\*/.test(near) });
  }
  return out;
}

const folderOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!.replace(/\.ts$/, '');
const rel = (file: string): string => path.relative(SRC, file);
const files = sourceFiles(SRC);
const allEdges = files.flatMap(edgesOf);
/** Imports between files of src/ (not of packages, package.json or the report schema). */
const edges = allEdges.filter((e) => e.to.startsWith(SRC + path.sep));

/** Whether loading `file` loads @kubernetes/client-node (static, non-type imports only). */
function loadsClientNode(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  return allEdges.some((e) => e.from === file && !e.dynamic && !e.typeOnly && (e.to === '@kubernetes/client-node' || loadsClientNode(e.to, seen)));
}

/** Strongly connected components of more than one node (Tarjan), each a cycle. */
function cycles(nodes: string[], next: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

describe('architecture: imports follow the one-way flow', () => {
  it('every folder of src/ has a rule', () => {
    const folders = [...new Set(files.map(folderOf))].filter((f) => !f.includes('.') && f !== 'index');
    expect(folders.filter((f) => !(f in MAY_IMPORT) && files.some((x) => folderOf(x) === f && x.includes(path.sep + f + path.sep)))).to.deep.equal([]);
  });

  it('no folder imports one it may not', () => {
    const bad = edges
      .filter((e) => folderOf(e.from) !== folderOf(e.to) && e.from.includes(path.sep + folderOf(e.from) + path.sep))
      .filter((e) => !(MAY_IMPORT[folderOf(e.from)] ?? []).includes(folderOf(e.to)))
      .map((e) => `${rel(e.from)}:${e.line} imports ${rel(e.to)}`);
    expect(bad).to.deep.equal([]);
  });

  it('the CLI reaches the cluster through the pipelines: of src/cluster it imports only how to connect, the errors, and what permissions and RBAC objects say', () => {
    const allowed = ['connect.ts', 'errors.ts', 'access.ts', 'rbac-manifests.ts'].map((f) => path.join(SRC, 'cluster', f));
    const bad = edges.filter((e) => folderOf(e.from) === 'cli' && folderOf(e.to) === 'cluster' && !allowed.includes(e.to)).map((e) => `${rel(e.from)}:${e.line} imports ${rel(e.to)}`);
    expect(bad).to.deep.equal([]);
  });

  it('a command does not import another command (what two share lives outside src/cli/commands)', () => {
    const commands = path.join(SRC, 'cli', 'commands') + path.sep;
    // A command's own parts share its name: report.ts, report-diff.ts, report-input.ts.
    const command = (file: string): string => path.basename(file).replace(/[-.].*$/, '');
    const bad = edges
      .filter((e) => e.from.startsWith(commands) && e.to.startsWith(commands) && command(e.from) !== command(e.to))
      .map((e) => `${rel(e.from)}:${e.line} imports ${rel(e.to)}`);
    expect(bad).to.deep.equal([]);
  });

  it('no import cycle between folders', () => {
    const folders = [...new Set(files.map(folderOf))];
    const next = (f: string): string[] => [...new Set(edges.filter((e) => folderOf(e.from) === f && folderOf(e.to) !== f).map((e) => folderOf(e.to)))];
    expect(cycles(folders, next)).to.deep.equal([]);
  });

  it('no import cycle between files', () => {
    const next = (f: string): string[] => edges.filter((e) => e.from === f && !e.dynamic).map((e) => e.to);
    expect(cycles(files, next).map((c) => c.map(rel))).to.deep.equal([]);
  });

  it('an `await import()` only defers @kubernetes/client-node, and says so in a comment', () => {
    // The dispatcher loads only the command that runs (src/cli/main.ts COMMANDS).
    const dispatch = (e: Edge): boolean => rel(e.from) === path.join('cli', 'main.ts') && rel(e.to).startsWith(path.join('cli', 'commands') + path.sep);
    const needless = edges.filter((e) => e.dynamic && !dispatch(e) && !loadsClientNode(e.to)).map((e) => `${rel(e.from)}:${e.line} import('${rel(e.to)}') loads no client-node: import it statically`);
    const bare = edges.filter((e) => e.dynamic && !dispatch(e) && !e.commented).map((e) => `${rel(e.from)}:${e.line} import('${rel(e.to)}') has no comment`);
    expect([...needless, ...bare]).to.deep.equal([]);
  });

  it('the rules see the imports (a known edge is found)', () => {
    expect(edges.some((e) => rel(e.from) === path.join('verdict', 'patterns.ts') && rel(e.to) === path.join('verdict', 'model.ts'))).to.equal(true);
    expect(loadsClientNode(path.join(SRC, 'cluster', 'read.ts'))).to.equal(true);
    expect(loadsClientNode(path.join(SRC, 'policy', 'evaluate.ts'))).to.equal(false);
  });

  it('test/unit/ mirrors src/: each folder of unit tests is named after the folder it tests', () => {
    const units = readdirSync(path.resolve(SRC, '../test/unit'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const extra = ['architecture', 'support'];
    expect(units.filter((u) => !(u in MAY_IMPORT) && !extra.includes(u))).to.deep.equal([]);
  });

  it('no function in src/ is over 80 lines', () => {
    const long: string[] = [];
    for (const file of files) {
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
          const first = sf.getLineAndCharacterOfPosition(node.getStart()).line;
          const lines = sf.getLineAndCharacterOfPosition(node.end).line - first + 1;
          if (lines > 80) long.push(`${rel(file)}:${first + 1} (${lines} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(long).to.deep.equal([]);
  });
});
