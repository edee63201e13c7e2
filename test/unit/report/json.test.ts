import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'chai';
import { render } from '../../../src/report/json.ts';
import { parseReport, ReportFormatError } from '../../../src/report/load.ts';
import { checkReport } from '../../../src/report/schema-check.ts';
import { REPORT_SCHEMA_VERSION, type Report } from '../../../src/verdict/model.ts';
import { fixture, FIXTURE_PATH, thrownMessage } from './fixture.ts';

const schema = JSON.parse(readFileSync(new URL('../../../schema/report.schema.json', import.meta.url), 'utf8')) as object;

function ajvValidator(): (value: unknown) => boolean {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
  const validate = ajv.compile(schema);
  return (value) => validate(value);
}

type Mutation = [string, (doc: Record<string, any>) => void];

// Each turns a valid report into an invalid one.
const MUTATIONS: Mutation[] = [
  ['unknown status', (d) => (d.results[0].status = 'ok')],
  ['unknown outcome', (d) => (d.results[1].outcome = 'dropped')],
  ['missing port', (d) => delete d.results[2].port],
  ['port as a number', (d) => (d.results[2].port = 5432)],
  ['negative count', (d) => (d.summary.leak = -1)],
  ['fractional attempts', (d) => (d.results[3].attempts = 1.5)],
  ['missing summary', (d) => delete d.summary],
  ['results not an array', (d) => (d.results = {})],
  ['tags with a number', (d) => (d.results[0].tags = [1])],
  ['bad startedAt', (d) => (d.run.startedAt = 'yesterday')],
  ['empty name', (d) => (d.results[0].name = '')],
  ['wrong schemaVersion', (d) => (d.schemaVersion = 'netprobe.dev/report/v2')],
  ['httpStatus out of range', (d) => (d.results[5].httpStatus = 42)],
  ['unknown field', (d) => (d.results[0].colour = 'red')],
  ['unknown finding pattern', (d) => (d.findings = [{ pattern: 'bad-luck', message: 'm', results: [] }])],
  ['finding without results', (d) => (d.findings = [{ pattern: 'not-enforcing', message: 'm' }])],
];

describe('json report', () => {
  const report = fixture();
  const text = render(report);
  const valid = ajvValidator();

  it('conforms to schema/report.schema.json (checked by ajv)', () => {
    expect(valid(JSON.parse(text))).to.equal(true);
  });

  it('writes run-level findings after the results, within the schema', () => {
    const withFindings: Report = {
      ...report,
      findings: [{ pattern: 'not-enforcing', message: 'every connection the policies deny was allowed', results: [report.results[0]!.name] }],
    };
    const doc = JSON.parse(render(withFindings)) as Record<string, any>;
    expect(Object.keys(doc)).to.deep.equal(['schemaVersion', 'run', 'summary', 'results', 'findings']);
    expect(Object.keys(doc.findings[0])).to.deep.equal(['pattern', 'message', 'results']);
    expect(valid(doc)).to.equal(true);
    expect(parseReport(render(withFindings)).findings).to.deep.equal(withFindings.findings);
  });

  it('reads back into the same report', () => {
    expect(parseReport(text)).to.deep.equal(report);
    expect(text).to.equal(readFileSync(FIXTURE_PATH, 'utf8'));
  });

  it('keeps the documented key order and the model field names', () => {
    const doc = JSON.parse(text) as Record<string, any>;
    expect(Object.keys(doc)).to.deep.equal(['schemaVersion', 'run', 'summary', 'results']);
    expect(doc.schemaVersion).to.equal(REPORT_SCHEMA_VERSION);
    expect(doc.summary).to.deep.equal({ total: 13, pass: 5, leak: 2, broken: 4, inconclusive: 2 });
    expect(Object.keys(doc.results[1]).slice(0, 12)).to.deep.equal([
      'name', 'expectation', 'suite', 'location', 'source', 'destination', 'port', 'protocol', 'expect', 'observed', 'outcome', 'status',
    ]);
  });

  it('keeps fields added to the model later, after the known ones', () => {
    const extended = { ...report, results: report.results.map((r) => ({ extra: 1, ...r })) } as Report;
    const doc = JSON.parse(render(extended)) as { results: Array<Record<string, unknown>> };
    expect(Object.keys(doc.results[0] ?? {}).at(-1)).to.equal('extra');
  });

  it('keeps unicode and control characters exactly', () => {
    const doc = JSON.parse(text) as Report;
    expect(doc.results.map((r) => r.detail)).to.deep.equal(report.results.map((r) => r.detail));
    expect(text).to.include('数据库');
    expect(text).to.include('\\u001b');
  });

  it('can write one line', () => {
    expect(render(report, { indent: 0 }).trimEnd()).to.not.include('\n');
  });
});

describe('the schema check (ajv, worded for netprobe report)', () => {
  const valid = ajvValidator();
  const base = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as Record<string, any>;

  it('accepts the fixture', () => {
    expect(checkReport(base)).to.deep.equal([]);
  });

  for (const [name, mutate] of MUTATIONS) {
    it(`refuses: ${name}`, () => {
      const doc = structuredClone(base);
      mutate(doc);
      expect(valid(doc), 'the published schema').to.equal(false);
      expect(checkReport(doc), 'check').to.not.deep.equal([]);
    });
  }

  it('names the place of each problem', () => {
    const doc = structuredClone(base);
    doc.results[1].status = 'ok';
    delete doc.results[2].port;
    expect(checkReport(doc)).to.deep.equal([
      'results[1].status: expected one of "pass", "leak", "broken", "inconclusive", found "ok"',
      'results[2].port: required but missing',
    ]);
  });

  it('names a field the schema does not know, unless told to accept newer fields', () => {
    const doc = structuredClone(base);
    doc.results[0].newField = 1;
    expect(checkReport(doc)).to.deep.equal(['results[0].newField: not a field of this version']);
    expect(checkReport(doc, { allowAdditional: true })).to.deep.equal([]);
  });
});

describe('reading a saved report', () => {
  const base = readFileSync(FIXTURE_PATH, 'utf8');

  function problemOf(text: string): string {
    return thrownMessage(() => parseReport(text, 'saved.json'), ReportFormatError);
  }

  it('says when the file is not JSON', () => {
    expect(problemOf('{"schemaVersion": ')).to.match(/^saved\.json: not valid JSON \(/);
  });

  it('says when it is not a report of this version', () => {
    expect(problemOf('[]')).to.equal('saved.json: not a netprobe report this version reads (schemaVersion: expected "netprobe.dev/report/v1", found nothing)');
    expect(problemOf(base.replace('report/v1', 'report/v9'))).to.include('found "netprobe.dev/report/v9"');
  });

  it('accepts fields it does not know, as a newer netprobe may add them', () => {
    const doc = JSON.parse(base) as Record<string, any>;
    doc.results[0].rtt = 3;
    doc.run.node = 'kind-worker';
    expect(parseReport(JSON.stringify(doc)).results[0]?.name).to.equal('frontend may reach the API');
  });

  it('rejects a summary that does not match the results', () => {
    const doc = JSON.parse(base) as Record<string, any>;
    doc.summary.leak = 0;
    expect(problemOf(JSON.stringify(doc))).to.equal('saved.json: not a valid netprobe report:\n  summary.leak: is 0 but the results count 2');
  });

  it('rejects two results with one name', () => {
    const doc = JSON.parse(base) as Record<string, any>;
    doc.results[1].name = doc.results[0].name;
    expect(problemOf(JSON.stringify(doc))).to.include('results[1].name: "frontend may reach the API" appears twice');
  });

  it('lists at most ten problems', () => {
    const doc = JSON.parse(base) as Record<string, any>;
    for (const r of doc.results) r.status = 'ok';
    const message = problemOf(JSON.stringify(doc));
    expect(message.split('\n')).to.have.length(12);
    expect(message).to.match(/\.\.\. and 3 more$/);
  });

  it('reads a file with a byte order mark', () => {
    expect(parseReport(`\ufeff${base}`).summary.total).to.equal(13);
  });
});
