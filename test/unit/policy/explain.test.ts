import { expect } from 'chai';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import { explain } from '../../../src/policy/explain.ts';
import { namespaces, np, pod, pods } from './world.ts';

describe('policy explain', () => {
  const policies = [
    np('x', 'deny-all', { policyTypes: ['Ingress', 'Egress'] }),
    np('x', 'web-from-b', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 'http' }] }],
    }),
    np('x', 'only-c', { podSelector: { matchLabels: { pod: 'c' } }, ingress: [{}] }),
    np('x', 'bad-peer', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{}] }] }),
  ];
  const engine = new PolicyEngine({ policies, namespaces, pods });

  it('walks both sides, each policy, rule, peer and port', () => {
    const text = explain(engine, { source: pod('y/b'), destination: pod('x/a'), port: 80 });
    expect(text).to.include('y/b -> x/a port 80/TCP');
    expect(text).to.include('egress of y/b: ALLOWED (no policy selects y/b for egress');
    expect(text).to.include('ingress of x/a: DENIED (isolated for ingress by x/deny-all, x/web-from-b');
    expect(text).to.include('x/deny-all: selects the pod (podSelector {}), policyTypes [Ingress, Egress]: isolates ingress; no ingress rules, so it allows nothing');
    expect(text).to.include('x/web-from-b: selects the pod (podSelector pod=a), policyTypes [Ingress] (defaulted): isolates ingress; 1 rule');
    expect(text).to.include('✗ from: pods pod=b in namespace x');
    expect(text).to.include('✓ ports: http/TCP');
    expect(text).to.include('x/only-c: does not select the pod (podSelector pod=c)');
    expect(text).to.include('x/bad-peer: selects the pod (podSelector pod=a) but policyTypes [Egress] has no ingress');
    expect(text).to.include('! egress[0].to[0]: an empty peer names nothing');
    expect(text).to.match(/verdict: DENIED \(deciding: x\/deny-all, x\/web-from-b\)$/);
  });

  it('names the rule that allows', () => {
    const text = explain(engine, { source: pod('x/b'), destination: pod('x/a'), port: { name: 'http' } });
    expect(text).to.include('x/b -> x/a port http (= 80)/TCP');
    expect(text).to.include('rule ingress[0]: ALLOWS');
    expect(text).to.include('egress of x/b: DENIED');
  });

  it('reports a named port the destination lacks', () => {
    const v = engine.evaluate({ source: pod('y/a'), destination: pod('y/b'), port: { name: 'nope' } });
    expect(v.allowed).to.equal(false);
    expect(v.error).to.match(/"nope"\/TCP is not a named container port of y\/b/);
  });
});
