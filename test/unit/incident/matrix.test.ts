import { expect } from 'chai';
import { loadGeneratedSuite, NothingToProbeError } from '../../../src/incident/common.ts';
import { matrixCells, matrixSuite, renderMatrixTable } from '../../../src/incident/matrix.ts';
import { expandSuites } from '../../../src/suite/index.ts';
import type { Result } from '../../../src/verdict/model.ts';
import type { LivePod } from '../../../src/model/cluster.ts';
import { shopSnapshot } from './world.ts';
import { pod, snapshot } from '../support/world.ts';

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

  describe('nothing to probe is said plainly (no generated suite that does not load)', () => {
    const tcp = (port: number) => ({ port, protocol: 'TCP' as const });
    const nothing = (pods: LivePod[], pattern: RegExp) => expect(() => matrixSuite(snapshot(['a', 'b'], { pods }), ['a', 'b'])).to.throw(NothingToProbeError, pattern);

    it('namespaces without pods', () => nothing([], /^no pods in a, b: nothing to probe/));

    it('only pods that are not Running and Ready (Pending, image pull errors, not Ready), counted by state', () => {
      nothing(
        [
          pod('a', 'p1', { app: 'x' }, { phase: 'Pending', ready: false, containerPorts: [tcp(80)] }),
          pod('a', 'p2', { app: 'y' }, { phase: 'Pending', ready: false, containerPorts: [tcp(80)] }),
          pod('b', 'r1', { app: 'z' }, { phase: 'Running', ready: false, containerPorts: [tcp(80)] }),
        ],
        /^no pod in a, b is Running and Ready on the pod network \(3 pods: 2 Pending, 1 Running but not Ready\): nothing to probe/,
      );
    });

    it('pods on the node\'s network only', () => {
      nothing([pod('a', 'h', { app: 'h' }, { hostNetwork: true, containerPorts: [tcp(80)] })], /\(1 pod: 1 hostNetwork\)/);
    });

    it('pods that declare no container port', () => {
      nothing([pod('a', 'p', { app: 'x' }), pod('b', 'q', { app: 'y' })], /^none of the 2 pod identities in a, b declares a container port: nothing to probe/);
    });

    it('a single identity: nothing between identities', () => {
      nothing([pod('a', 'p', { app: 'x' }, { containerPorts: [tcp(80)] })], /^only one pod identity in a, b \(a\/app=x\): nothing to probe between identities$/);
    });

    it('netprobe\'s own pods do not count as the user\'s', () => {
      nothing([pod('a', 'netprobe-r-s0', { app: 'x', 'app.kubernetes.io/managed-by': 'netprobe' }, { netprobeRole: 'source', containerPorts: [tcp(80)] })], /^no pods in a, b/);
    });
  });
});
