// The Result fields both the judge and the policy engine build from a case, and predictions on observed results.
import { expect } from 'chai';
import type { Prediction } from '../../../src/policy/predict.ts';
import { predictionResult, withPrediction } from '../../../src/verdict/predicted.ts';
import { resultBase } from '../../../src/verdict/result-base.ts';
import type { Result } from '../../../src/verdict/model.ts';
import { casesOf, oneCase } from '../support/world.ts';

const noFacts = { egressDenied: 0, ingressDenied: 0, namedPort: false, ipBlockExcept: false };
const prediction = (predicted: Prediction['predicted'], detail = 'why'): Prediction => ({ predicted, policies: ['ns/p'], detail, checked: 1, facts: noFacts });

function observed(c: ReturnType<typeof oneCase>, o: Partial<Result>): Result {
  return { ...resultBase(c), observed: 'allowed', outcome: 'connected', status: 'pass', durationMs: 3, attempts: 1, detail: 'connected to x', ...o };
}

describe('resultBase', () => {
  it('takes name, location, peers, port, protocol, expectation and tags from the case', () => {
    const c = oneCase(`{name: web to api, from: {namespace: a, podSelector: {matchLabels: {app: web}}}, to: {namespace: b, podSelector: {}}, port: http, protocol: TCP, expect: deny, tags: [t1]}`);
    const b = resultBase(c);
    expect(b).to.deep.include({ name: 'web to api', expectation: 'web to api', suite: 'engine', port: 'http', protocol: 'TCP', expect: 'deny', tags: ['t1'] });
    expect(b.location).to.match(/^engine\.yaml:\d+:\d+$/);
    expect(b.source).to.equal(c.from.label);
    expect(b.destination).to.equal(c.to.label);
  });

  it('writes ranges the same way for judge and predict', () => {
    const [range] = casesOf(`  expectations:
    - {name: r, from: {namespace: a, podSelector: {}}, to: {namespace: b, podSelector: {}}, port: 8000-8010, expect: deny}
`);
    expect(resultBase(range!).port).to.equal('8000-8010');
    const p = predictionResult(range!, prediction('denied'));
    expect(p).to.deep.include(resultBase(range!));
  });

  it('does not share the tags array with the case', () => {
    const c = oneCase(`{name: x, from: {namespace: a, podSelector: {}}, to: {namespace: b, podSelector: {}}, port: 80, expect: allow, tags: [a]}`);
    resultBase(c).tags.push('b');
    expect(c.expectation.tags).to.deep.equal(['a']);
  });
});

describe('withPrediction', () => {
  const c = oneCase(`{name: x, from: {namespace: a, podSelector: {}}, to: {namespace: b, podSelector: {}}, port: 80, expect: deny}`);

  it('attaches predicted and policies, leaving an agreeing pass as it was', () => {
    const r = withPrediction(observed(c, { observed: 'denied', outcome: 'timeout', detail: 'no answer' }), prediction('denied'));
    expect(r).to.include({ predicted: 'denied', detail: 'no answer' });
    expect(r.policies).to.deep.equal(['ns/p']);
  });

  it('explains a non-pass with the policies\' reason, and says when they disagree with the observation', () => {
    const leak = withPrediction(observed(c, { status: 'leak' }), prediction('allowed', 'egress not isolated; ingress allowed by b/open'));
    expect(leak.detail).to.equal('connected to x; policies predict allowed: egress not isolated; ingress allowed by b/open');
    const enforcing = withPrediction(observed(c, { status: 'leak' }), prediction('denied', 'ingress of b/y: no rule allows it'));
    expect(enforcing.predicted).to.equal('denied');
    expect(enforcing.detail).to.contain('policies predict denied, not what was observed: ingress of b/y');
  });

  it('reports a mixed prediction as the side that contradicts the expectation', () => {
    const r = withPrediction(observed(c, { status: 'leak' }), prediction('mixed'));
    expect(r.predicted).to.equal('allowed');
    expect(r.detail).to.contain('(mixed)');
  });

  it('sets no prediction when the engine cannot predict', () => {
    const r = withPrediction(observed(c, { status: 'inconclusive', observed: 'unknown', detail: 'dns failed' }), prediction('unknown', 'a name'));
    expect(r.predicted).to.equal(undefined);
    expect(r.policies).to.equal(undefined);
    expect(r.detail).to.equal('dns failed; policies: cannot predict (a name)');
  });
});
