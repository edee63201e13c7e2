import { expect } from 'chai';
import { expandExpectation, expandSuites } from '../../../src/suite/expand.ts';
import { parseOnly, selectExpectations, selectSuites } from '../../../src/suite/select.ts';
import { spec, valid } from './helpers.ts';

const SUITE = spec(`
  endpoints:
    web: {namespace: a, podSelector: {matchLabels: {app: web}}}
    api: {namespace: a, podSelector: {matchLabels: {app: api}}}
    db: {namespace: a, podSelector: {matchLabels: {app: db}}}
  expectations:
    - {name: web to db, from: web, to: db, port: 5432, expect: deny, tags: [db, smoke]}
    - {name: fan out, from: [web, api], to: [db, {host: example.com}], ports: [80, 8000-8080], expect: deny, tags: [egress]}
    - {name: dns check, from: web, protocol: DNS, expect: allow, tags: [dns, smoke]}
    - {name: url check, from: api, to: {url: "http://x.a.svc/"}, expect: allow}
`);

describe('expansion', () => {
  it('one case per from x to x port, in written order, with readable stable ids', () => {
    const suite = valid(SUITE);
    const cases = expandExpectation(suite.expectations[1]!);
    expect(cases).to.have.length(8);
    expect(cases.map((c) => c.id)).to.deep.equal([
      'fan out [web -> db:80]',
      'fan out [web -> db:8000-8080]',
      'fan out [web -> example.com:80]',
      'fan out [web -> example.com:8000-8080]',
      'fan out [api -> db:80]',
      'fan out [api -> db:8000-8080]',
      'fan out [api -> example.com:80]',
      'fan out [api -> example.com:8000-8080]',
    ]);
    expect(cases[1]!.port).to.deep.equal({ kind: 'range', from: 8000, to: 8080 });
    expect(cases[2]!.to.peer).to.deep.equal({ kind: 'host', host: 'example.com' });
    expect(cases.every((c) => c.expectation === suite.expectations[1])).to.equal(true);
  });

  it('a single combination keeps the expectation name as id; url cases have no port', () => {
    const cases = expandSuites([valid(SUITE)]);
    expect(cases.map((c) => c.id)).to.include.members(['web to db', 'dns check', 'url check']);
    const url = cases.find((c) => c.id === 'url check')!;
    expect(url.port).to.equal(undefined);
    const dns = cases.find((c) => c.id === 'dns check')!;
    expect(dns.port).to.deep.equal({ kind: 'number', port: 53 });
  });

  it('ids are unique across a run and identical across loads', () => {
    const a = expandSuites([valid(SUITE)]).map((c) => c.id);
    const b = expandSuites([valid(SUITE)]).map((c) => c.id);
    expect(a).to.deep.equal(b);
    expect(new Set(a).size).to.equal(a.length);
    expect(a).to.have.length(11);
  });
});

describe('--only selection', () => {
  const all = () => valid(SUITE).expectations;
  const names = (only: string[]) => selectExpectations(all(), only).expectations.map((e) => e.name);

  it('selects by name or tag, comma-separated and repeated', () => {
    expect(names(['smoke'])).to.deep.equal(['web to db', 'dns check']);
    expect(names(['fan out'])).to.deep.equal(['fan out']);
    expect(names(['egress,url check'])).to.deep.equal(['fan out', 'url check']);
    expect(names(['dns', 'db'])).to.deep.equal(['web to db', 'dns check']);
  });

  it('supports globs and name:/tag: prefixes', () => {
    expect(names(['* check'])).to.deep.equal(['dns check', 'url check']);
    expect(names(['tag:db'])).to.deep.equal(['web to db']);
    expect(names(['name:smoke'])).to.deep.equal([]);
    expect(names(['e?ress'])).to.deep.equal(['fan out']);
  });

  it('no patterns keeps everything; unmatched patterns are returned', () => {
    expect(names([])).to.have.length(4);
    expect(selectExpectations(all(), ['smoke, nope']).unmatched).to.deep.equal(['nope']);
    expect(parseOnly([' a ,, b', ''])).to.have.length(2);
  });

  it('selectSuites drops suites left empty', () => {
    const other = valid(SUITE.replace('name: t', 'name: other').replace(/name: (web to db|fan out|dns check|url check)/g, 'name: o-$1'));
    const { suites, unmatched } = selectSuites([valid(SUITE), other], ['name:web to db']);
    expect(unmatched).to.deep.equal([]);
    expect(suites.map((s) => [s.name, s.expectations.length])).to.deep.equal([['t', 1]]);
  });
});
