// Run-level findings from observed vs predicted: each pattern from a hand-made set of results.
import { expect } from 'chai';
import { findPatterns, renderFindings, type CaseEvidence, type PredictionEvidence } from '../../../src/verdict/patterns.ts';
import type { Result } from '../../../src/verdict/model.ts';

function r(name: string, expect_: 'allow' | 'deny', predicted: 'allowed' | 'denied' | undefined, observed: Result['observed']): Result {
  const ok = (expect_ === 'allow') === (observed === 'allowed');
  const res: Result = {
    name, expectation: name, suite: 's', location: 'f:1:1', source: 'a', destination: 'b', port: '80', protocol: 'TCP',
    expect: expect_, observed, outcome: observed === 'allowed' ? 'connected' : 'timeout',
    status: observed === 'unknown' ? 'inconclusive' : ok ? 'pass' : expect_ === 'allow' ? 'broken' : 'leak',
    durationMs: 1, attempts: 1, detail: '', tags: [],
  };
  if (predicted) res.predicted = predicted;
  return res;
}

const facts = (f: Partial<PredictionEvidence>): CaseEvidence => ({
  prediction: { egressDenied: 0, ingressDenied: 0, namedPort: false, ipBlockExcept: false, ...f },
});

describe('observed vs predicted patterns', () => {
  it('finds nothing when every result agrees with its prediction', () => {
    const rs = [r('a', 'allow', 'allowed', 'allowed'), r('b', 'deny', 'denied', 'denied')];
    expect(findPatterns(rs)).to.deep.equal([]);
  });

  it('ignores results without a prediction or without an observation', () => {
    const rs = [r('a', 'deny', undefined, 'allowed'), r('b', 'deny', 'denied', 'unknown')];
    expect(findPatterns(rs)).to.deep.equal([]);
  });

  it('names a plugin that enforces nothing: every predicted deny observed allowed', () => {
    const rs = [r('a', 'allow', 'allowed', 'allowed'), r('b', 'deny', 'denied', 'allowed'), r('c', 'deny', 'denied', 'allowed')];
    const f = findPatterns(rs);
    expect(f.map((x) => x.pattern)).to.deep.equal(['not-enforcing']);
    expect(f[0]!.results).to.deep.equal(['b', 'c']);
    expect(f[0]!.message).to.match(/not enforcing NetworkPolicy.*not programmed yet/);
  });

  it('does not call one leak among held denies a plugin that enforces nothing', () => {
    const rs = [r('b', 'deny', 'denied', 'allowed'), r('c', 'deny', 'denied', 'denied')];
    const f = findPatterns(rs);
    expect(f.map((x) => x.pattern)).to.deep.equal(['unexplained']);
  });

  it('names ingress that is not enforced while egress is', () => {
    const ev = new Map([
      ['in1', facts({ ingressDenied: 1 })],
      ['in2', facts({ ingressDenied: 2 })],
      ['eg1', facts({ egressDenied: 1 })],
    ]);
    const rs = [r('in1', 'deny', 'denied', 'allowed'), r('in2', 'deny', 'denied', 'allowed'), r('eg1', 'deny', 'denied', 'denied')];
    const f = findPatterns(rs, ev);
    expect(f.map((x) => x.pattern)).to.deep.equal(['ingress-not-enforced']);
    expect(f[0]!.results).to.deep.equal(['in1', 'in2']);
  });

  it('names egress that is not enforced while ingress is', () => {
    const ev = new Map([['e', facts({ egressDenied: 1 })], ['i', facts({ ingressDenied: 1 })], ['both', facts({ ingressDenied: 1, egressDenied: 1 })]]);
    const rs = [r('e', 'deny', 'denied', 'allowed'), r('i', 'deny', 'denied', 'denied'), r('both', 'deny', 'denied', 'denied')];
    expect(findPatterns(rs, ev).map((x) => x.pattern)).to.deep.equal(['egress-not-enforced']);
  });

  it('names ipBlock except that is not honoured', () => {
    const ev = new Map([['x', facts({ egressDenied: 1, ipBlockExcept: true })]]);
    const rs = [r('x', 'deny', 'denied', 'allowed'), r('y', 'deny', 'denied', 'denied'), r('z', 'allow', 'allowed', 'allowed')];
    const f = findPatterns(rs, ev);
    expect(f.map((x) => x.pattern)).to.deep.equal(['ipblock-except']);
    expect(f[0]!.results).to.deep.equal(['x']);
  });

  it('calls a single leak inside an except range ipblock-except, not a plugin that enforces nothing', () => {
    const ev = new Map([['x', facts({ egressDenied: 1, ipBlockExcept: true })]]);
    expect(findPatterns([r('x', 'deny', 'denied', 'allowed')], ev).map((x) => x.pattern)).to.deep.equal(['ipblock-except']);
  });

  it('names named ports when every disagreement involves one', () => {
    const ev = new Map([['n1', facts({ namedPort: true, ingressDenied: 1 })], ['n2', facts({ namedPort: true })]]);
    const rs = [r('n1', 'deny', 'denied', 'allowed'), r('n2', 'allow', 'allowed', 'denied'), r('ok', 'deny', 'denied', 'denied')];
    const f = findPatterns(rs, ev);
    expect(f.map((x) => x.pattern)).to.deep.equal(['named-port']);
    expect(f[0]!.results).to.have.members(['n1', 'n2']);
  });

  it('names filtering beyond NetworkPolicy: allowed paths dropped, no deny leaked', () => {
    const rs = [r('a', 'allow', 'allowed', 'denied'), r('b', 'deny', 'denied', 'denied')];
    expect(findPatterns(rs).map((x) => x.pattern)).to.deep.equal(['extra-filtering']);
  });

  it('lists disagreements with no common shape as unexplained', () => {
    const rs = [r('a', 'allow', 'allowed', 'denied'), r('b', 'deny', 'denied', 'allowed'), r('c', 'deny', 'denied', 'denied')];
    const f = findPatterns(rs);
    expect(f.map((x) => x.pattern)).to.deep.equal(['unexplained']);
    expect(f[0]!.results).to.have.members(['a', 'b']);
  });

  it('names Service-route vs pod-route disagreement, with or without a prediction', () => {
    const ev = new Map<string, CaseEvidence>([['s', { routes: { allowed: ['service'], denied: ['pod'] } }], ['t', { routes: { allowed: ['pod', 'service'], denied: [] } }]]);
    const rs = [r('s', 'allow', undefined, 'denied'), r('t', 'allow', undefined, 'allowed')];
    const f = findPatterns(rs, ev);
    expect(f.map((x) => x.pattern)).to.deep.equal(['service-route']);
    expect(f[0]!.message).to.contain('1 connected only through the Service');
  });

  it('renders findings as lines, eliding long result lists', () => {
    const rs = Array.from({ length: 7 }, (_, i) => r(`d${i}`, 'deny', 'denied', 'allowed'));
    const lines = renderFindings(findPatterns(rs), 3);
    expect(lines[0]).to.match(/^finding \(not-enforcing\): every connection the policies deny was allowed \(7 of 7\)/);
    expect(lines[1]).to.equal('  seen in: d0, d1, d2, and 4 more');
  });
});
