// Observed results joined with predictions, and the findings that follow (src/run/predictions.ts).
import { expect } from 'chai';
import { AdminPolicyEngine } from '../../../src/policy/admin.ts';
import { parseManifests } from '../../../src/policy/manifests.ts';
import { attachPredictions, routeFindings } from '../../../src/run/predictions.ts';
import type { Result } from '../../../src/verdict/model.ts';
import { resultBase } from '../../../src/verdict/result-base.ts';
import { casesOf } from '../support/world.ts';

const manifests = parseManifests(`
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-only-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
`);

const cases = casesOf(`  expectations:
    - {name: web to db, from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: allow}
    - {name: stranger to db, from: {namespace: shop, podSelector: {matchLabels: {app: other}}}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: deny}
    - {name: tools to db, from: {namespace: shop, podSelector: {matchLabels: {app: tools}}}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: deny}
`);

function observed(i: number, o: Result['observed']): Result {
  const c = cases[i]!;
  const ok = (c.expectation.expect === 'allow') === (o === 'allowed');
  return {
    ...resultBase(c), observed: o, outcome: o === 'allowed' ? 'connected' : 'timeout',
    status: ok ? 'pass' : c.expectation.expect === 'allow' ? 'broken' : 'leak', durationMs: 1, attempts: 1, detail: 'seen',
  };
}

describe('run results with predictions', () => {
  const engine = new AdminPolicyEngine(manifests);

  it('attaches predictions and finds nothing when the cluster agrees', () => {
    const { results, findings } = attachPredictions([observed(0, 'allowed'), observed(1, 'denied'), observed(2, 'denied')], cases, engine, manifests);
    expect(results.map((r) => r.predicted)).to.deep.equal(['allowed', 'denied', 'denied']);
    expect(results[1]!.policies).to.deep.equal(['shop/db-only-web']);
    expect(findings).to.deep.equal([]);
  });

  it('names a cluster that enforces nothing', () => {
    const { results, findings } = attachPredictions([observed(0, 'allowed'), observed(1, 'allowed'), observed(2, 'allowed')], cases, engine, manifests);
    expect(findings.map((f) => f.pattern)).to.deep.equal(['not-enforcing']);
    expect(findings[0]!.results).to.deep.equal(['stranger to db', 'tools to db']);
    expect(results[1]!.detail).to.match(/^seen; policies predict denied, not what was observed: /);
  });

  it('names ingress not enforced when only ingress denies leak and an egress deny holds', () => {
    const withEgress = parseManifests(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: tools-no-egress, namespace: shop}
spec: {podSelector: {matchLabels: {app: tools}}, policyTypes: [Egress]}
`);
    const all = { ...manifests, policies: [...manifests.policies, ...withEgress.policies] };
    const e = new AdminPolicyEngine(all);
    // other -> db: only db's ingress denies (leaks); tools -> db: tools' egress denies too (holds)
    const { findings } = attachPredictions([observed(0, 'allowed'), observed(1, 'allowed'), observed(2, 'denied')], cases, e, all);
    expect(findings.map((f) => f.pattern)).to.deep.equal(['ingress-not-enforced']);
  });

  it('names Service vs pod route disagreements without a prediction', () => {
    const f = routeFindings([observed(0, 'allowed')], new Map([['web to db', { allowed: ['pod'], denied: ['service'] }]]));
    expect(f.map((x) => x.pattern)).to.deep.equal(['service-route']);
  });

  it('names an ipBlock except the plugin does not honour, from the deciding policy', () => {
    const egress = parseManifests(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-out, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 198.51.100.0/24, except: [198.51.100.10/32]}}]}]
`);
    const all = { ...manifests, policies: [...manifests.policies, ...egress.policies] };
    const hostCases = casesOf(`  expectations:
    - {name: web to excepted, from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: {host: 198.51.100.10}, port: 443, expect: deny}
    - {name: web to allowed, from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: {host: 198.51.100.11}, port: 443, expect: allow}
`);
    const rs: Result[] = hostCases.map((c) => ({ ...resultBase(c), observed: 'allowed', outcome: 'connected', status: c.expectation.expect === 'deny' ? 'leak' : 'pass', durationMs: 1, attempts: 1, detail: 'seen' }));
    const { results, findings } = attachPredictions(rs, hostCases, new AdminPolicyEngine(all), all);
    expect(results.map((r) => r.predicted)).to.deep.equal(['denied', 'allowed']);
    expect(findings.map((f) => f.pattern)).to.deep.equal(['ipblock-except']);
    expect(findings[0]!.results).to.deep.equal(['web to excepted']);
  });
});
