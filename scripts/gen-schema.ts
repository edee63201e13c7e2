// Writes schema/connectivitysuite.schema.json from src/suite/definitions.ts. Run: npm run schema
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCHEMA_PATH, schemaText } from '../src/suite/schema.ts';

const target = fileURLToPath(new URL(`../${SCHEMA_PATH}`, import.meta.url));
writeFileSync(target, schemaText());
process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
