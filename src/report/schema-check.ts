// Checks a value against schema/report.schema.json with ajv (the validator the schema is tested with),
// and words each problem as `path: what is wrong` for `netprobe report`.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../schema/report.schema.json' with { type: 'json' };

export interface CheckOptions {
  /** Accept object keys the schema does not name (a reader of newer reports). Default false. */
  allowAdditional?: boolean;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The schema without `additionalProperties: false`, for reading reports a newer netprobe wrote. */
function lenient(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(lenient);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'additionalProperties' && v === false)).map(([k, v]) => [k, lenient(v)]));
}

const compiled = new Map<boolean, ValidateFunction>();

function validator(allowAdditional: boolean): ValidateFunction {
  let v = compiled.get(allowAdditional);
  if (v === undefined) {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajv.addFormat('date-time', DATE_TIME);
    v = ajv.compile(allowAdditional ? (lenient(schema) as object) : schema);
    compiled.set(allowAdditional, v);
  }
  return v;
}

/** `/results/1/status` as `results[1].status`. */
function place(pointer: string, key?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (key !== undefined) parts.push(key);
  return parts.reduce((at, p) => (/^\d+$/.test(p) ? `${at}[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? (at === '' ? p : `${at}.${p}`) : `${at}[${JSON.stringify(p)}]`), '');
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, pointer: string): unknown {
  let at: unknown = root;
  for (const p of pointer.split('/').slice(1)) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return at;
}

function wording(e: ErrorObject, root: unknown): string {
  const found = show(valueAt(root, e.instancePath));
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${place(e.instancePath, String(params['missingProperty']))}: required but missing`;
    case 'additionalProperties':
      return `${place(e.instancePath, String(params['additionalProperty']))}: not a field of this version`;
    case 'enum':
      return `${place(e.instancePath)}: expected one of ${(params['allowedValues'] as unknown[]).map(show).join(', ')}, found ${found}`;
    case 'const':
      return `${place(e.instancePath)}: expected ${show(params['allowedValue'])}, found ${found}`;
    case 'type':
      return `${place(e.instancePath)}: expected ${String(params['type'])}, found ${found}`;
    default:
      return `${place(e.instancePath)}: ${e.message ?? e.keyword}, found ${found}`;
  }
}

/** Problems with `value` against the report schema, each `path: what is wrong`; empty when it conforms. */
export function checkReport(value: unknown, options: CheckOptions = {}): string[] {
  const validate = validator(options.allowAdditional === true);
  if (validate(value)) return [];
  return [...new Set((validate.errors ?? []).map((e) => wording(e, value)))];
}
