// The JSON Schema for suite files, derived from definitions.ts (the same definitions the validator walks).
// scripts/gen-schema.ts writes it to schema/connectivitysuite.schema.json; a unit test keeps that file current.
import { DEFINITIONS, type Def, type KeyRule, type ObjectDef, resolve } from './definitions.ts';

export const SCHEMA_PATH = 'schema/connectivitysuite.schema.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function withDescription(def: { description?: string }, schema: JsonObject): JsonObject {
  return def.description !== undefined ? { description: def.description, ...schema } : schema;
}

function ruleSchema(d: ObjectDef, rule: KeyRule): JsonObject {
  const condition: JsonObject = { required: [rule.key], properties: { [rule.key]: { enum: [...rule.values] } } };
  const target = rule.require ?? rule.forbid!;
  const targetDef = d.properties[target];
  const isArray = targetDef !== undefined && resolve(targetDef).type === 'array';
  let consequence: JsonObject;
  if (rule.require !== undefined) consequence = isArray ? { required: [target], properties: { [target]: { minItems: 1 } } } : { required: [target] };
  else consequence = isArray ? { properties: { [target]: { maxItems: 0 } } } : { not: { required: [target] } };
  return rule.otherwise ? { if: condition, else: consequence } : { if: condition, then: consequence };
}

export function defToSchema(def: Def): JsonObject {
  switch (def.type) {
    case 'ref':
      return { $ref: `#/definitions/${def.ref}` };
    case 'string': {
      const s: JsonObject = { type: 'string' };
      if (def.enum) s.enum = [...def.enum];
      if (def.pattern !== undefined) s.pattern = def.pattern;
      if (def.minLength !== undefined) s.minLength = def.minLength;
      if (def.maxLength !== undefined) s.maxLength = def.maxLength;
      if (def.default !== undefined) s.default = def.default;
      return withDescription(def, s);
    }
    case 'integer':
    case 'number': {
      const s: JsonObject = { type: def.type };
      if (def.minimum !== undefined) s.minimum = def.minimum;
      if (def.exclusiveMinimum !== undefined) s.exclusiveMinimum = def.exclusiveMinimum;
      if (def.maximum !== undefined) s.maximum = def.maximum;
      if (def.default !== undefined) s.default = def.default;
      return withDescription(def, s);
    }
    case 'boolean': {
      const s: JsonObject = { type: 'boolean' };
      if (def.default !== undefined) s.default = def.default;
      return withDescription(def, s);
    }
    case 'object': {
      const properties: JsonObject = {};
      for (const [k, v] of Object.entries(def.properties)) properties[k] = defToSchema(v);
      const s: JsonObject = { type: 'object', properties, additionalProperties: false };
      if (def.required && def.required.length > 0) s.required = [...def.required];
      const all: Json[] = [];
      for (const [a, b] of def.exclusive ?? []) all.push({ not: { required: [a, b] } });
      for (const rule of def.rules ?? []) all.push(ruleSchema(def, rule));
      if (all.length > 0) s.allOf = all;
      return withDescription(def, s);
    }
    case 'map': {
      const s: JsonObject = { type: 'object', propertyNames: defToSchema(def.keys), additionalProperties: defToSchema(def.values) };
      if (def.minProperties !== undefined) s.minProperties = def.minProperties;
      return withDescription(def, s);
    }
    case 'array': {
      const s: JsonObject = { type: 'array', items: defToSchema(def.items) };
      if (def.minItems !== undefined) s.minItems = def.minItems;
      if (def.uniqueItems) s.uniqueItems = true;
      return withDescription(def, s);
    }
    case 'union':
      return withDescription(def, { anyOf: def.variants.map(defToSchema) });
  }
}

/** The whole schema document (draft-07, which yaml-language-server supports fully). */
export function buildSchema(): JsonObject {
  const definitions: JsonObject = {};
  for (const [name, def] of Object.entries(DEFINITIONS)) definitions[name] = defToSchema(def);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'netprobe ConnectivitySuite',
    description:
      'Generated from src/suite/definitions.ts by `npm run schema`; do not edit. `netprobe validate` also checks what a schema cannot: endpoint names, protocol and peer combinations, duplicate names.',
    $ref: '#/definitions/Suite',
    definitions,
  };
}

/** The file's exact text: two-space JSON and a final newline. */
export function schemaText(): string {
  return `${JSON.stringify(buildSchema(), null, 2)}\n`;
}
