import { parseYaml } from '../../../src/suite/load.ts';
import { suitesFromDocuments } from '../../../src/suite/index.ts';
import { formatDiagnostic } from '../../../src/suite/diagnostics.ts';
import type { Suite } from '../../../src/suite/model.ts';
import { buildSchema } from '../../../src/suite/schema.ts';
import { parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';

const ajv = new Ajv({ strict: false, allErrors: true });
/** The generated JSON Schema, compiled: every suite the loader accepts must pass it too. */
export const schemaValidate = ajv.compile(buildSchema());

export const HEADER = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata:
  name: t
spec:
`;

/** Parses and checks suite text as if it were the file `t.yaml`; diagnostics come back formatted. */
export function check(text: string, file = 't.yaml'): { suites: Suite[]; errors: string[] } {
  const parsed = parseYaml(file, text);
  const { suites, diagnostics } = suitesFromDocuments(parsed.documents);
  return { suites, errors: [...parsed.diagnostics, ...diagnostics].map(formatDiagnostic) };
}

/** A suite text with the given spec body (indented under `spec:`). */
export function spec(body: string): string {
  return HEADER + body.replace(/^\n/, '');
}

/** The single valid suite of `text`; fails with the diagnostics otherwise. */
export function valid(text: string): Suite {
  const { suites, errors } = check(text);
  if (errors.length > 0 || suites.length !== 1) throw new Error(`expected one valid suite, got:\n${errors.join('\n')}`);
  for (const doc of parseAllDocuments(text)) {
    if (!schemaValidate(doc.toJS())) throw new Error(`the JSON Schema rejects a suite the loader accepts: ${ajv.errorsText(schemaValidate.errors)}`);
  }
  return suites[0]!;
}
