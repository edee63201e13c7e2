// Loading: paths -> files -> YAML documents. Folders are searched recursively for *.yaml and *.yml
// (skipping the `..` entries of a mounted ConfigMap);
// a file may hold several documents. Every problem (missing path, binary or non-UTF-8 data, huge file,
// YAML syntax error, empty file) becomes a one-line Diagnostic, never an exception.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LineCounter, isScalar, parseAllDocuments, type Document } from 'yaml';
import { type Diagnostic, diagnostic, fileDiagnostic } from './diagnostics.ts';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

export interface LoadOptions {
  /** Larger files are refused. Default MAX_FILE_BYTES (5 MiB). */
  maxFileBytes?: number;
}

export interface YamlDocument {
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  doc: Document;
  lines: LineCounter;
  /** False when the YAML had problems that were reported but did not stop checking (duplicate keys). */
  clean: boolean;
}

export interface LoadedDocuments {
  /** Files read, in a stable order (as given; folders sorted by path). */
  files: string[];
  documents: YamlDocument[];
  diagnostics: Diagnostic[];
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

function describeFsError(e: unknown): string {
  switch (errorCode(e)) {
    case 'ENOENT':
      return 'no such file or folder; expected a YAML file or a folder of them';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; expected a readable file';
    case 'ELOOP':
      return 'too many symbolic links; expected a file or folder';
    case 'ENOTDIR':
      return 'a part of this path is not a folder';
    default:
      return `cannot read: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Expands paths to the YAML files they name, in a stable order, without duplicates. */
export async function collectFiles(paths: readonly string[]): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();

  const add = async (file: string): Promise<void> => {
    const real = await fs.realpath(file).catch(() => path.resolve(file));
    if (seen.has(real)) return;
    seen.add(real);
    files.push(file);
  };

  const walk = async (dir: string, visited: Set<string>): Promise<number> => {
    const real = await fs.realpath(dir);
    if (visited.has(real)) return 0;
    visited.add(real);
    let count = 0;
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      // A mounted ConfigMap or Secret keeps its keys in `..<timestamp>/`, reached through `..data`; each
      // key is a symlink beside them. Read the keys by their own names, and each only once.
      if (entry.name.startsWith('..')) continue;
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const st = await fs.stat(full).catch(() => undefined);
        isDir = st?.isDirectory() ?? false;
        isFile = st?.isFile() ?? false;
      }
      if (isDir) count += await walk(full, visited);
      else if (isFile && YAML_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        await add(full);
        count++;
      }
    }
    return count;
  };

  for (const given of paths) {
    try {
      const st = await fs.stat(given);
      if (st.isDirectory()) {
        const count = await walk(given, new Set());
        if (count === 0) diagnostics.push(fileDiagnostic(given, 'folder holds no .yaml or .yml files; expected at least one suite'));
      } else if (st.isFile()) {
        await add(given);
      } else {
        diagnostics.push(fileDiagnostic(given, 'not a regular file or folder; expected a YAML file or a folder of them'));
      }
    } catch (e) {
      diagnostics.push(fileDiagnostic(given, describeFsError(e)));
    }
  }
  return { files, diagnostics };
}

/** Byte offset of the first invalid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** 1-based line and column (in characters) of a byte offset in valid UTF-8 prefix bytes. */
function lineColOfByte(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset; i++) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      line++;
      col = 1;
    } else if ((b & 0xc0) !== 0x80) col++;
  }
  return { line, col };
}

/** Reads a file as UTF-8 text, refusing huge, binary and non-UTF-8 files with a positioned message. */
export async function readText(file: string, options: LoadOptions = {}): Promise<{ text: string } | { diagnostic: Diagnostic }> {
  const max = options.maxFileBytes ?? MAX_FILE_BYTES;
  let bytes: Uint8Array;
  try {
    const st = await fs.stat(file);
    if (st.size > max) {
      return { diagnostic: fileDiagnostic(file, `file is ${formatSize(st.size)}; expected at most ${formatSize(max)} for a suite file`) };
    }
    bytes = await fs.readFile(file);
  } catch (e) {
    return { diagnostic: fileDiagnostic(file, describeFsError(e)) };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return { diagnostic: fileDiagnostic(file, 'file is UTF-16 encoded; expected UTF-8 text') };
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = lineColOfByte(bytes, nul);
    return { diagnostic: diagnostic({ file, line, col }, 'binary data (a NUL byte); expected a UTF-8 YAML text file') };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const { line, col } = lineColOfByte(bytes, bad);
    const hex = `0x${bytes[bad]!.toString(16).padStart(2, '0')}`;
    return { diagnostic: diagnostic({ file, line, col }, `invalid UTF-8 (byte ${hex}); expected a UTF-8 text file (re-save it as UTF-8)`) };
  }
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

function formatSize(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} bytes`;
}

/** Parses YAML text into documents; syntax errors become diagnostics. Empty documents are dropped. */
export function parseYaml(file: string, text: string): { documents: YamlDocument[]; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const documents: YamlDocument[] = [];
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const list = Array.isArray(parsed) ? parsed : [];
  list.forEach((doc, index) => {
    const fatal = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      const message = e.code === 'DUPLICATE_KEY' ? `duplicate key ${duplicateKeyName(text, e.pos)}; expected each key once per mapping` : `YAML syntax error: ${yamlMessage(e.message)}`;
      diagnostics.push(diagnostic({ file, line, col }, message));
    }
    if (fatal.length > 0) return;
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) return;
    documents.push({ file, index, doc, lines, clean: doc.errors.length === 0 });
  });
  if (documents.length === 0 && diagnostics.length === 0)
    diagnostics.push(fileDiagnostic(file, 'file is empty (no YAML documents); expected a ConnectivitySuite'));
  return { documents, diagnostics };
}

function duplicateKeyName(text: string, pos: [number, number]): string {
  const raw = /^[^\s:]+/.exec(text.slice(pos[0]))?.[0];
  return raw ? `\`${raw}\`` : '';
}

function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?\s*$/, '').replace(/\.$/, '');
}

/** Paths -> YAML documents, with every problem found on the way. */
export async function loadDocuments(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedDocuments> {
  const { files, diagnostics } = await collectFiles(paths);
  const documents: YamlDocument[] = [];
  for (const file of files) {
    const read = await readText(file, options);
    if ('diagnostic' in read) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    const parsed = parseYaml(file, read.text);
    diagnostics.push(...parsed.diagnostics);
    documents.push(...parsed.documents);
  }
  return { files, documents, diagnostics };
}
