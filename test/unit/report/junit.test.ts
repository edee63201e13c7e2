import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { render, sourceClassname, xmlAttr, xmlText } from '../../../src/report/junit.ts';
import type { Report, Result } from '../../../src/verdict/model.ts';
import { fixture, fixtureChanging } from './fixture.ts';

interface Node {
  [key: string]: unknown;
}

// Parsed the way CI viewers read JUnit: attributes by name, every element that may repeat as a list.
function parse(xml: string): Node {
  const verdict = XMLValidator.validate(xml);
  expect(verdict, JSON.stringify(verdict)).to.equal(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    // decodes character references such as &#10; (XML's own, not only HTML's)
    htmlEntities: true,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped'].includes(name),
  });
  return parser.parse(xml) as Node;
}

function suitesOf(doc: Node): Node[] {
  return (doc.testsuites as Node).testsuite as Node[];
}

function casesOf(doc: Node): Node[] {
  return suitesOf(doc).flatMap((s) => s.testcase as Node[]);
}

function props(testcase: Node): Record<string, string> {
  const list = ((testcase.properties as Node).property as Node[]) ?? [];
  return Object.fromEntries(list.map((p) => [p.name as string, p.value as string]));
}

describe('junit report', () => {
  const report = fixture();
  const doc = parse(render(report));

  it('is well-formed XML with the totals on <testsuites>', () => {
    const root = doc.testsuites as Node;
    expect(root).to.include({ name: 'netprobe', tests: '13', failures: '6', errors: '2', skipped: '0', time: '42.500' });
  });

  it('has one testsuite per source workload with its own counts, so viewers show a tree', () => {
    const suites = suitesOf(doc).map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped]);
    // in order of first appearance in the report
    expect(suites).to.deep.equal([
      ['payments/frontend', '4', '0', '1', '0'],
      ['sandbox/shell', '1', '1', '0', '0'],
      ['payments/api', '5', '3', '0', '0'],
      ['edge/guest', '2', '1', '1', '0'],
      ['payments/café', '1', '1', '0', '0'],
    ]);
  });

  it('has one testcase per result: classname = namespace.workload, name = result name, the suite a property', () => {
    const cases = casesOf(doc);
    expect(cases).to.have.length(report.results.length);
    const expected = report.results.map((r) => `${r.source.replace('/', '.')} / ${r.name} / ${r.suite}`);
    expect(cases.map((c) => `${c.classname} / ${c.name} / ${props(c).suite}`).sort()).to.deep.equal([...expected].sort());
  });

  it('keeps dots in names from adding levels, and puts sources outside the cluster under outside', () => {
    expect(sourceClassname({ ...(report.results[0] as Result), source: 'web.v2', sourceNamespace: 'shop.eu' })).to.equal('shop_eu.web_v2');
    expect(sourceClassname({ ...(report.results[0] as Result), source: '10.0.0.1' })).to.equal('outside.10_0_0_1');
    const grouped = parse(render(fixtureChanging(0, { source: 'web', sourceNamespace: 'payments' })));
    expect(suitesOf(grouped).map((x) => x.name)).to.include('payments/web');
  });

  it('makes leak and broken a <failure> with their type, inconclusive an <error>, passes neither', () => {
    for (const r of report.results) {
      const c = casesOf(doc).find((x) => x.name === r.name) as Node;
      const failures = (c.failure as Node[] | undefined) ?? [];
      const errors = (c.error as Node[] | undefined) ?? [];
      expect(c.skipped, r.name).to.equal(undefined);
      if (r.status === 'pass') expect([failures.length, errors.length], r.name).to.deep.equal([0, 0]);
      if (r.status === 'leak' || r.status === 'broken') {
        expect([failures.length, errors.length], r.name).to.deep.equal([1, 0]);
        expect(failures[0]?.type).to.equal(r.status);
      }
      if (r.status === 'inconclusive') {
        expect([failures.length, errors.length], r.name).to.deep.equal([0, 1]);
        expect(errors[0]?.type).to.equal('inconclusive');
      }
    }
  });

  it('gives the why in the message and the reproduce command in the body', () => {
    const c = casesOf(doc).find((x) => x.name === 'sandbox must not reach the database') as Node;
    const failure = (c.failure as Node[])[0] as Node;
    expect(failure.message).to.equal(`leak: expected deny, observed allowed (connected): ${report.results[1]?.detail}`);
    expect(failure['#text']).to.include(`reproduce: ${report.results[1]?.reproduce}`);
    expect(failure['#text']).to.include('at: suites/payments.yaml:31:7');
  });

  it('carries source, destination, port and protocol as properties, and file and line', () => {
    const c = casesOf(doc).find((x) => x.name === 'guest must not POST /admin | L7') as Node;
    expect(props(c)).to.include({ source: 'edge/guest', destination: 'http://admin.edge.svc/admin', port: '80', protocol: 'HTTP', status: 'leak', httpStatus: '200' });
    expect(c).to.include({ file: 'suites/edge.yaml', line: '9', time: '0.018' });
  });

  it('round-trips unicode, markup characters and line breaks exactly', () => {
    const names = casesOf(doc).map((c) => c.name);
    expect(names).to.include('café resolves 数据库.example 🚀');
    const c = casesOf(doc).find((x) => x.name === 'guest must not POST /admin | L7') as Node;
    expect(props(c).reproduce).to.equal(report.results[5]?.reproduce);
    const changed = fixtureChanging(0, { name: 'a "quoted" <b> & c\nline two\ttab', source: "it's ]]> done" });
    const back = casesOf(parse(render(changed)))[0] as Node;
    expect(back.name).to.equal('a "quoted" <b> & c\nline two\ttab');
    expect(props(back).source).to.equal("it's ]]> done");
  });

  it('shows control characters and lone surrogates, which XML cannot hold, as visible text', () => {
    const evil = 'bell\u0007 esc\u001b[31m nul\u0000 del\u007f lone\ud800 end';
    const changed: Report = fixtureChanging(9, { detail: evil, name: 'ctl \u0001 name' });
    const xml = render(changed);
    const c = casesOf(parse(xml)).find((x) => x.name === 'ctl \\x01 name') as Node;
    const error = (c.error as Node[])[0] as Node;
    expect(error.message).to.include('bell\\x07 esc\\x1b[31m nul\\x00 del\\x7f lone\ufffd end');
    expect(xml).to.not.match(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('escapes helpers as XML needs', () => {
    expect(xmlAttr('a&b<c>"d"\ne\r\nf\tg')).to.equal('a&amp;b&lt;c&gt;&quot;d&quot;&#10;e&#10;f&#9;g');
    expect(xmlText('x]]>y & <z>')).to.equal('x]]&gt;y &amp; &lt;z&gt;');
  });

  it('renders an empty report as an empty, valid document', () => {
    const empty = parse(render({ ...report, results: [], summary: { total: 0, pass: 0, leak: 0, broken: 0, inconclusive: 0 } }));
    expect(empty.testsuites).to.include({ tests: '0', failures: '0', errors: '0' });
  });
});
