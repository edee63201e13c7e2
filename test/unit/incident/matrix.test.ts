import { expect } from 'chai';
import { loadGeneratedSuite } from '../../../src/incident/common.ts';
import { matrixCells, matrixSuite, renderMatrixTable } from '../../../src/incident/matrix.ts';
import { expandSuites } from '../../../src/suite/index.ts';
import type { Result } from '../../../src/verdict/model.ts';
import { shopSnapshot } from './world.ts';

const result = (expectation: string, status: Result['status']): Result => ({
  name: expectation, expectation, suite: 'matrix', location: 'm:1:1', source: '', destination: '', port: '', protocol: 'TCP', expect: 'deny',
  observed: status === 'leak' ? 'allowed' : status === 'pass' ? 'denied' : 'unknown', outcome: 'timeout', status, durationMs: 0, attempts: 1, detail: `why ${expectation}`, tags: [],
});

describe('incident: matrix', () => {
  it('probes every source identity against every other identity\'s declared ports, as deny expectations the loader accepts', () => {
    const plan = matrixSuite(shopSnapshot(), ['web', 'db']);
    expect(plan.rows.map((r) => r.name)).to.deep.equal(['db.postgres', 'web.web']);
    expect(plan.columns.map((c) => `${c.name}:${c.port}/${c.protocol}`)).to.deep.equal(['db.postgres:5432/TCP', 'web.web:8080/TCP']);
    const suites = loadGeneratedSuite(plan.yaml, 'matrix.yaml');
    const cases = expandSuites(suites);
    expect(cases.map((c) => c.id)).to.deep.equal(['db.postgres -> web.web:8080/TCP', 'web.web -> db.postgres:5432/TCP']);
    expect(suites[0]!.expectations.every((e) => e.expect === 'deny' && e.attempts === 1)).to.equal(true);
    expect(() => matrixSuite(shopSnapshot(), ['nope'])).to.throw(/namespace nope does not exist/);
  });

  it('turns verdicts into cells (leak = reachable, pass = blocked, else unknown) and prints the table and its legend', () => {
    const plan = matrixSuite(shopSnapshot(), ['web', 'db', 'api']);
    const names = [...plan.cells.keys()];
    const results = names.map((n, i) => result(n, i === 0 ? 'leak' : i === 1 ? 'inconclusive' : 'pass'));
    const { cells, details } = matrixCells(plan, results);
    const [r0, c0] = plan.cells.get(names[0]!)!;
    expect(cells[r0]![c0]).to.equal('allowed');
    expect(Object.keys(details)).to.deep.equal([names[1]]);
    const diagonal = plan.columns.findIndex((c) => c.name === plan.rows[0]!.name);
    expect(cells[0]![diagonal]).to.equal('self');
    const table = renderMatrixTable(plan, cells, details, true);
    expect(table.split('\n')[0]).to.match(/^from \\ to +1 +2/);
    expect(table).to.contain('Y reachable, . blocked (target shown alive), ? unknown, = same identity');
    expect(table).to.contain(`${names[1]}: why ${names[1]}`);
  });
});
