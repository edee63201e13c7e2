// A small JSON Schema checker for the subset schema/report.schema.json uses: type, const, enum,
// required, properties, additionalProperties: false, items, minimum, maximum, minLength, format
// date-time and local $ref into $defs. Lets `netprobe report` check a saved report against the very
// schema that is published, without a runtime dependency. Tests hold it to agree with a full validator.

export interface SchemaNode {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  const?: unknown;
  enum?: readonly unknown[];
  required?: readonly string[];
  properties?: Readonly<Record<string, SchemaNode>>;
  additionalProperties?: boolean;
  items?: SchemaNode;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  format?: string;
  $defs?: Readonly<Record<string, SchemaNode>>;
}

export interface CheckOptions {
  /** Accept object keys the schema does not name (a reader of newer reports). Default false. */
  allowAdditional?: boolean;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function child(at: string, key: string | number): string {
  if (typeof key === 'number') return `${at}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (at === '' ? key : `${at}.${key}`) : `${at}[${JSON.stringify(key)}]`;
}

/** Problems with `value` against `schema`, each `path: what is wrong`; empty when it conforms. */
export function check(schema: SchemaNode, value: unknown, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  const root = schema;

  function resolve(node: SchemaNode): SchemaNode {
    if (node.$ref === undefined) return node;
    const m = /^#\/\$defs\/(.+)$/.exec(node.$ref);
    const target = m === null ? undefined : root.$defs?.[m[1] ?? ''];
    if (target === undefined) throw new Error(`schema: cannot resolve ${node.$ref}`);
    return target;
  }

  function visit(raw: SchemaNode, v: unknown, at: string): void {
    const node = resolve(raw);
    const where = at === '' ? '(top level)' : at;
    if (node.const !== undefined && v !== node.const) {
      problems.push(`${where}: expected ${show(node.const)}, found ${show(v)}`);
      return;
    }
    if (node.enum !== undefined && !node.enum.includes(v)) {
      problems.push(`${where}: expected one of ${node.enum.map(show).join(', ')}, found ${show(v)}`);
      return;
    }
    if (node.type !== undefined) {
      const k = kind(v);
      const ok = k === node.type || (node.type === 'number' && k === 'integer');
      if (!ok) {
        problems.push(`${where}: expected ${node.type}, found ${k === 'undefined' ? 'nothing' : k}`);
        return;
      }
    }
    if (typeof v === 'number') {
      if (node.minimum !== undefined && v < node.minimum) problems.push(`${where}: must be at least ${node.minimum}, found ${v}`);
      if (node.maximum !== undefined && v > node.maximum) problems.push(`${where}: must be at most ${node.maximum}, found ${v}`);
    }
    if (typeof v === 'string') {
      if (node.minLength !== undefined && [...v].length < node.minLength) problems.push(`${where}: must not be empty`);
      if (node.format === 'date-time' && !DATE_TIME.test(v)) problems.push(`${where}: expected an RFC 3339 date-time, found ${show(v)}`);
    }
    if (Array.isArray(v) && node.items !== undefined) {
      const items = node.items;
      v.forEach((item, i) => visit(items, item, child(at, i)));
    }
    if (kind(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const key of node.required ?? []) {
        if (!(key in obj)) problems.push(`${child(at, key)}: required but missing`);
      }
      for (const [key, item] of Object.entries(obj)) {
        const prop = node.properties?.[key];
        if (prop !== undefined) visit(prop, item, child(at, key));
        else if (node.additionalProperties === false && options.allowAdditional !== true) {
          problems.push(`${child(at, key)}: unknown field`);
        }
      }
    }
  }

  visit(schema, value, '');
  return problems;
}
