// Structural validation: walks one YAML document against definitions.ts, collects every problem with
// its exact position, and returns plain values (invalid parts replaced by INVALID) plus a position index
// so that normalize.ts can point at what it checks next.
import { isAlias, isMap, isPair, isScalar, isSeq, isNode, visit, type Alias, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import type { SourcePos } from './model.ts';
import { type Diagnostic, describeValue, diagnostic, oneOf, suggest } from './diagnostics.ts';
import { type ArrayDef, type Def, type KeyRule, type MapDef, type NumberDef, type ObjectDef, type StringDef, type UnionDef, resolve } from './definitions.ts';

/** Stands in for a value that was reported as invalid; later stages skip it without a second message. */
export const INVALID: unique symbol = Symbol('invalid');
export type Checked = unknown;

const flagged = new WeakSet<object>();
/** True when the validator reported a problem with this mapping itself (an unknown or missing key). */
export function hasProblems(obj: object): boolean {
  return flagged.has(obj);
}
export type PlainObject = Record<string, unknown>;

interface Where {
  pos: SourcePos;
  keys: Map<string | number, { key: SourcePos; value: SourcePos }>;
}

/** Positions of the values the validator returned, by container and key. */
export class Positions {
  readonly #map = new WeakMap<object, Where>();
  readonly #fallback: SourcePos;

  constructor(fallback: SourcePos) {
    this.#fallback = fallback;
  }

  record(container: object, where: Where): void {
    this.#map.set(container, where);
  }

  /** Where a container starts, or where the value under `key` starts. */
  of(container: unknown, key?: string | number): SourcePos {
    if (typeof container !== 'object' || container === null) return this.#fallback;
    const where = this.#map.get(container);
    if (!where) return this.#fallback;
    if (key === undefined) return where.pos;
    return where.keys.get(key)?.value ?? where.pos;
  }

  /** Where the key itself is written (for messages about the key). */
  keyOf(container: unknown, key: string): SourcePos {
    if (typeof container !== 'object' || container === null) return this.#fallback;
    const where = this.#map.get(container);
    return where?.keys.get(key)?.key ?? where?.pos ?? this.#fallback;
  }
}

export interface ValidatedDocument {
  value: Checked;
  positions: Positions;
  diagnostics: Diagnostic[];
}

type NodeLike = YamlNode | null | undefined;

interface Walk {
  file: string;
  doc: Document;
  lines: LineCounter;
  diagnostics: Diagnostic[];
  positions: Positions;
  /** Pos used when a node has no range. */
  fallback: SourcePos;
  /** What each alias of the document stands for (see aliasTargets). */
  aliases: Map<Alias, NodeLike>;
}

function posAt(w: Walk, node: NodeLike, fallback?: SourcePos): SourcePos {
  const offset = node?.range?.[0];
  if (offset === undefined) return fallback ?? w.fallback;
  const { line, col } = w.lines.linePos(offset);
  return { file: w.file, line, col };
}

function report(w: Walk, pos: SourcePos, message: string): typeof INVALID {
  w.diagnostics.push(diagnostic(pos, message));
  return INVALID;
}

type Kind = 'map' | 'seq' | 'string' | 'number' | 'boolean' | 'null' | 'other';

function kindOf(value: unknown, node: NodeLike): Kind {
  if (isMap(node)) return 'map';
  if (isSeq(node)) return 'seq';
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'other';
}

function found(node: NodeLike, value: unknown, secret = false): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (secret) return value === null || value === undefined ? 'nothing (null)' : typeof value === 'boolean' ? 'a boolean' : typeof value === 'number' || typeof value === 'bigint' ? 'a number' : 'a value';
  return describeValue(value);
}

export function expectedText(def: Def): string {
  const d = resolve(def);
  if (d.expected) return d.expected;
  switch (d.type) {
    case 'string':
      return d.enum ? oneOf(d.enum) : 'a string';
    case 'boolean':
      return 'true or false';
    case 'integer':
    case 'number':
      return d.type === 'integer' ? 'a whole number' : 'a number';
    case 'object':
      return `a mapping (${d.noun})`;
    case 'map':
      return `a mapping (${d.noun})`;
    case 'array':
      return 'a list';
    case 'union':
      return d.variants.map(expectedText).join(' or ');
  }
}

function nodeKindFits(def: Exclude<Def, { type: 'ref' }>, kind: Kind): boolean {
  switch (def.type) {
    case 'object':
    case 'map':
      return kind === 'map';
    case 'array':
      return kind === 'seq';
    case 'string':
      return kind === 'string';
    case 'boolean':
      return kind === 'boolean';
    case 'integer':
    case 'number':
      return kind === 'number';
    case 'union':
      return def.variants.some((v) => nodeKindFits(resolve(v), kind));
  }
}

function flatten(def: UnionDef): Exclude<Def, { type: 'ref' } | { type: 'union' }>[] {
  return def.variants.flatMap((v) => {
    const r = resolve(v);
    return r.type === 'union' ? flatten(r) : [r];
  });
}

/** The key name of a map pair, as a string, or undefined when it is not a plain scalar. */
function keyText(key: unknown): string | undefined {
  if (isScalar(key)) {
    const v = key.value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }
  return undefined;
}

/**
 * Every alias of a document -> the node it stands for (the last node with its anchor before it), in one
 * pass. yaml's Alias.resolve(doc) walks the whole document on each call: quadratic in the aliases.
 */
function aliasTargets(doc: Document): Map<Alias, NodeLike> {
  const anchored = new Map<string, NodeLike>();
  const targets = new Map<Alias, NodeLike>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) targets.set(node, anchored.get(node.source));
      else if (isNode(node) && node.anchor) anchored.set(node.anchor, node);
    },
  });
  return targets;
}

function deref(w: Walk, node: NodeLike): NodeLike {
  return isAlias(node) ? w.aliases.get(node) : node;
}

function check(w: Walk, rawNode: NodeLike, def: Def, label: string, at: SourcePos): unknown {
  const node = deref(w, rawNode);
  const pos = rawNode ? posAt(w, rawNode, at) : at;
  const value: unknown = isScalar(node) ? node.value : node === null || node === undefined ? null : undefined;
  const kind = kindOf(value, node);
  const d = resolve(def);
  const mismatch = (): typeof INVALID => {
    const secret = d.type === 'string' && d.secret === true;
    const quote = d.type === 'string' && (kind === 'number' || kind === 'boolean') ? `; quote it if you mean the string${secret ? '' : ` "${String(value)}"`}` : '';
    return report(w, pos, `${label}: found ${found(node, value, secret)}, expected ${expectedText(d)}${quote}`);
  };

  switch (d.type) {
    case 'string':
      return kind === 'string' ? checkString(w, value as string, d, label, pos) : mismatch();
    case 'boolean':
      return kind === 'boolean' ? value : mismatch();
    case 'integer':
    case 'number':
      return kind === 'number' ? checkNumber(w, Number(value), d, label, pos) : mismatch();
    case 'object':
      return isMap(node) ? checkObject(w, node, d, label, pos) : mismatch();
    case 'map':
      return isMap(node) ? checkMap(w, node, d, label, pos) : mismatch();
    case 'array':
      return isSeq(node) ? checkArray(w, node, d, label, pos) : mismatch();
    case 'union':
      return checkUnion(w, rawNode, node, d, label, pos, kind, value);
  }
}

function checkString(w: Walk, value: string, d: StringDef, label: string, pos: SourcePos): unknown {
  if (d.enum && !d.enum.includes(value)) {
    const guess = d.enum.length > 1 ? suggest(value, d.enum) : undefined;
    const hint = guess !== undefined ? `; did you mean \`${guess}\`?` : '';
    const expected = d.enum.length === 1 ? `\`${d.enum[0]}\`` : `one of ${oneOf(d.enum)}`;
    return report(w, pos, `${label}: found \`${value}\`, expected ${expected}${hint}`);
  }
  if (d.check) {
    const problem = d.check(value);
    if (problem !== undefined) return report(w, pos, `${label}: ${problem}`);
  }
  if (d.minLength !== undefined && value.length < d.minLength) return report(w, pos, `${label}: found an empty string, expected ${expectedText(d)}`);
  if (d.maxLength !== undefined && value.length > d.maxLength)
    return report(w, pos, `${label}: found ${value.length} characters, expected at most ${d.maxLength} (${expectedText(d)})`);
  if (d.pattern !== undefined && !compiled(d.pattern).test(value))
    return report(w, pos, `${label}: found ${d.secret === true ? 'a string' : describeValue(value)}, expected ${expectedText(d)}`);
  return value;
}

const regexps = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = regexps.get(pattern);
  if (!re) regexps.set(pattern, (re = new RegExp(pattern)));
  return re;
}

function numberRange(d: NumberDef): string {
  return d.expected ?? (d.type === 'integer' ? 'a whole number' : 'a number');
}

function checkNumber(w: Walk, value: number, d: NumberDef, label: string, pos: SourcePos): unknown {
  const bad = (): typeof INVALID => report(w, pos, `${label}: found ${value}, expected ${numberRange(d)}`);
  if (!Number.isFinite(value)) return bad();
  if (d.type === 'integer' && !Number.isInteger(value)) return bad();
  if (d.minimum !== undefined && value < d.minimum) return bad();
  if (d.maximum !== undefined && value > d.maximum) return bad();
  if (d.exclusiveMinimum !== undefined && value <= d.exclusiveMinimum) return bad();
  return value;
}

function pairsOf(w: Walk, node: YamlNode, label: string) {
  const out: { key: string; keyPos: SourcePos; valueNode: NodeLike; valuePos: SourcePos }[] = [];
  if (!isMap(node)) return out;
  for (const item of node.items) {
    if (!isPair(item)) continue;
    const keyNode = item.key as NodeLike;
    const keyPos = posAt(w, keyNode, posAt(w, node));
    const key = keyText(keyNode);
    if (key === undefined) {
      report(w, keyPos, `${label}: found a ${isMap(keyNode) ? 'mapping' : isSeq(keyNode) ? 'list' : 'non-text'} key, expected a plain name`);
      continue;
    }
    const valueNode = item.value as NodeLike;
    out.push({ key, keyPos, valueNode, valuePos: valueNode ? posAt(w, valueNode, keyPos) : keyPos });
  }
  return out;
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0);
}

function applyRule(w: Walk, obj: PlainObject, rule: KeyRule, d: ObjectDef, pos: SourcePos, keyPos: (k: string) => SourcePos): void {
  const current = obj[rule.key];
  if (current === INVALID) return;
  const hit = typeof current === 'string' && rule.values.includes(current);
  if (rule.otherwise ? hit : !hit) return;
  const condition = `${rule.key} is ${typeof current === 'string' ? current : `not set (default ${defaultOf(d, rule.key) ?? 'none'})`}`;
  if (rule.require !== undefined) {
    const v = obj[rule.require];
    if (v === INVALID) return;
    if (isEmptyValue(v)) {
      const where = v === undefined ? pos : keyPos(rule.require);
      report(w, where, `${d.noun}: missing \`${rule.require}\`, required when ${condition}`);
    }
  }
  if (rule.forbid !== undefined && !isEmptyValue(obj[rule.forbid])) {
    const when = rule.otherwise ? `is only allowed when ${rule.key} is ${rule.values.join(' or ')}; ${condition}` : `is not allowed when ${condition}`;
    report(w, keyPos(rule.forbid), `${d.noun}: \`${rule.forbid}\` ${when}`);
  }
}

function defaultOf(d: ObjectDef, key: string): string | undefined {
  const p = d.properties[key];
  if (!p) return undefined;
  const r = resolve(p);
  return r.type === 'string' && r.default !== undefined ? r.default : undefined;
}

function checkObject(w: Walk, node: YamlNode, d: ObjectDef, label: string, pos: SourcePos, extraKeys: readonly string[] = []): unknown {
  const obj: PlainObject = {};
  const keys = new Map<string | number, { key: SourcePos; value: SourcePos }>();
  const known = Object.keys(d.properties);
  const guessed = new Set<string>();
  for (const { key, keyPos, valueNode, valuePos } of pairsOf(w, node, label)) {
    const propDef = d.properties[key];
    if (!propDef) {
      const guess = suggest(key, [...known, ...extraKeys]);
      const hint = guess !== undefined ? `did you mean \`${guess}\`?` : `expected one of ${oneOf(known)}`;
      report(w, keyPos, `unknown key \`${key}\` in ${d.noun}; ${hint}`);
      flagged.add(obj);
      if (guess !== undefined) guessed.add(guess);
      continue;
    }
    keys.set(key, { key: keyPos, value: valuePos });
    obj[key] = check(w, valueNode, propDef, key, valuePos);
  }
  w.positions.record(obj, { pos, keys });
  for (const req of d.required ?? []) {
    if (req in obj) continue;
    flagged.add(obj);
    // A typo of this key was already reported with the suggestion; one message is enough.
    if (!guessed.has(req)) report(w, pos, `${d.noun}: missing required key \`${req}\``);
  }
  for (const [a, b] of d.exclusive ?? []) {
    if (a in obj && b in obj) report(w, keys.get(b)?.key ?? pos, `${d.noun}: \`${a}\` and \`${b}\` cannot both be set; use one`);
  }
  if (!flagged.has(obj)) for (const rule of d.rules ?? []) applyRule(w, obj, rule, d, pos, (k) => keys.get(k)?.key ?? pos);
  return obj;
}

function checkMap(w: Walk, node: YamlNode, d: MapDef, label: string, pos: SourcePos): unknown {
  const obj: PlainObject = {};
  const keys = new Map<string | number, { key: SourcePos; value: SourcePos }>();
  for (const { key, keyPos, valueNode, valuePos } of pairsOf(w, node, label)) {
    keys.set(key, { key: keyPos, value: valuePos });
    obj[key] = checkString(w, key, d.keys, `${d.noun} key`, keyPos) === INVALID ? INVALID : check(w, valueNode, d.values, key, valuePos);
  }
  w.positions.record(obj, { pos, keys });
  if (d.minProperties !== undefined && Object.keys(obj).length < d.minProperties)
    report(w, pos, `${label}: found ${Object.keys(obj).length} entries, expected at least ${d.minProperties}`);
  return obj;
}

function checkArray(w: Walk, node: YamlNode, d: ArrayDef, label: string, pos: SourcePos): unknown {
  const list: unknown[] = [];
  const keys = new Map<string | number, { key: SourcePos; value: SourcePos }>();
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const itemNode = item as NodeLike;
      const itemPos = posAt(w, itemNode, pos);
      keys.set(i, { key: itemPos, value: itemPos });
      list.push(check(w, itemNode, d.items, `${label}[${i}]`, itemPos));
    });
  }
  w.positions.record(list, { pos, keys });
  if (d.minItems !== undefined && list.length < d.minItems) report(w, pos, `${label}: found an empty list, expected ${expectedText(d)} with at least ${d.minItems} entry`);
  return list;
}

function checkUnion(w: Walk, rawNode: NodeLike, node: NodeLike, d: UnionDef, label: string, pos: SourcePos, kind: Kind, value: unknown): unknown {
  const fitting = flatten(d).filter((v) => nodeKindFits(v, kind));
  if (fitting.length === 0) {
    return report(w, pos, `${label}: found ${found(node, value)}, expected ${expectedText(d)}`);
  }
  if (fitting.length === 1) return check(w, rawNode, fitting[0]!, label, pos);
  // Several mapping shapes: the tag key decides.
  const objects = fitting.filter((v): v is ObjectDef => v.type === 'object' && v.tag !== undefined);
  const pairs = pairsOf({ ...w, diagnostics: [] }, node as YamlNode, label);
  const present = pairs.filter((p) => objects.some((o) => o.tag === p.key));
  const tags = objects.map((o) => o.tag as string);
  if (present.length === 1) {
    const chosen = objects.find((o) => o.tag === present[0]!.key)!;
    const others = objects.flatMap((o) => Object.keys(o.properties));
    return checkObject(w, node as YamlNode, chosen, label, pos, others);
  }
  if (present.length > 1) {
    return report(w, present[1]!.keyPos, `${label}: a peer has both \`${present[0]!.key}\` and \`${present[1]!.key}\`; expected exactly one of ${oneOf(tags)}`);
  }
  // No tag: report typos of tag keys as unknown keys, else say what a peer needs.
  const allKeys = [...new Set(objects.flatMap((o) => Object.keys(o.properties)))];
  let explained = false;
  for (const p of pairs) {
    if (allKeys.includes(p.key)) continue;
    const guess = suggest(p.key, allKeys);
    report(w, p.keyPos, `unknown key \`${p.key}\` in peer; ${guess !== undefined ? `did you mean \`${guess}\`?` : `expected one of ${oneOf(tags)}`}`);
    explained = true;
  }
  if (!explained) report(w, pos, `${label}: found a mapping without any of ${oneOf(tags)}; expected a peer with exactly one of them`);
  return INVALID;
}

/** Validates one parsed YAML document against a named definition. */
export function validateDocument(doc: Document, lines: LineCounter, file: string, def: Def): ValidatedDocument {
  const fallback: SourcePos = { file, line: 1, col: 1 };
  const positions = new Positions(fallback);
  const w: Walk = { file, doc, lines, diagnostics: [], positions, fallback, aliases: aliasTargets(doc) };
  const start = posAt(w, doc.contents as NodeLike, fallback);
  const value = check(w, doc.contents as NodeLike, def, 'document', start);
  return { value, positions, diagnostics: w.diagnostics };
}

/** Position of a node, for callers that hold raw YAML nodes. */
export function nodePos(lines: LineCounter, file: string, node: NodeLike): SourcePos {
  const offset = node?.range?.[0];
  if (offset === undefined) return { file, line: 1, col: 1 };
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}
