import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import { SCHEMA_PATH, buildSchema, schemaText } from '../../../src/suite/schema.ts';
import { loadSuites } from '../../../src/suite/index.ts';
import { formatDiagnostic } from '../../../src/suite/diagnostics.ts';

const EXAMPLES = 'suites/examples';

describe('JSON Schema', () => {
  it(`${SCHEMA_PATH} is current (run \`npm run schema\` after changing src/suite/definitions.ts)`, () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).to.equal(schemaText());
  });

  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(buildSchema());

  it('compiles and accepts every example suite', () => {
    for (const file of readdirSync(EXAMPLES)) {
      const doc: unknown = parse(readFileSync(path.join(EXAMPLES, file), 'utf8'));
      expect(validate(doc), `${file}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    }
  });

  it('rejects what the loader rejects structurally', () => {
    const base = parse(readFileSync(path.join(EXAMPLES, 'cross-namespace.yaml'), 'utf8')) as { spec: { expectations: Record<string, unknown>[] } };
    const variants: [string, (e: Record<string, unknown>) => void][] = [
      ['typo key', (e) => ((e.expcet = 'deny'), delete e.expect)],
      ['port out of range', (e) => (e.port = 70000)],
      ['lowercase protocol', (e) => (e.protocol = 'tcp')],
      ['port and ports', (e) => (e.ports = [1])],
      ['dnsName with TCP', (e) => (e.dnsName = 'example.com')],
      ['http with TCP', (e) => (e.http = { path: '/' })],
      ['peer with two kinds', (e) => (e.to = { host: 'a.example', cidr: '10.0.0.0/8' })],
      ['bad label key', (e) => (e.to = { namespace: 'a', podSelector: { matchLabels: { '-x': 'y' } } })],
      ['In without values', (e) => (e.to = { namespace: 'a', podSelector: { matchExpressions: [{ key: 'x', operator: 'In' }] } })],
      ['Exists with values', (e) => (e.to = { namespace: 'a', podSelector: { matchExpressions: [{ key: 'x', operator: 'Exists', values: ['v'] }] } })],
    ];
    for (const [what, mutate] of variants) {
      const doc = structuredClone(base);
      mutate(doc.spec.expectations[0]!);
      expect(validate(doc), what).to.equal(false);
    }
  });
});

describe('example suites', () => {
  it('all validate with netprobe validate rules, each with a schema modeline', async () => {
    const { diagnostics, suites, files } = await loadSuites([EXAMPLES]);
    expect(diagnostics.map(formatDiagnostic)).to.deep.equal([]);
    expect(files.length).to.be.at.least(7);
    expect(suites.length).to.equal(files.length);
    for (const file of files) expect(readFileSync(file, 'utf8')).to.match(/^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/connectivitysuite\.schema\.json\n/);
  });

  it('cover default deny, DNS, cross-namespace, selectors, external egress, L7 and UDP', async () => {
    const { suites } = await loadSuites([EXAMPLES]);
    const all = suites.flatMap((s) => s.expectations);
    expect(all.some((e) => e.protocol === 'DNS')).to.equal(true);
    expect(all.some((e) => e.protocol === 'UDP')).to.equal(true);
    expect(all.some((e) => e.protocol === 'HTTP' && e.to.some((p) => p.peer.kind === 'url'))).to.equal(true);
    expect(all.some((e) => e.to.some((p) => p.peer.kind === 'cidr'))).to.equal(true);
    expect(all.some((e) => e.to.some((p) => p.peer.kind === 'host'))).to.equal(true);
    expect(new Set(all.flatMap((e) => [...e.from, ...e.to]).filter((p) => p.peer.kind === 'pods').map((p) => (p.peer as { namespace: string }).namespace)).size).to.be.at.least(3);
  });
});
