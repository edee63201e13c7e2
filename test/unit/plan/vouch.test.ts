// Issue 11, item 1: a control probe from an identity the policies allow. A deny to a target that nothing
// shows alive gets one extra probe from a source already in the run that the policies let reach it (zero
// extra pods); if it connects, the target is alive for every other source, and the result says who vouched.
import { expect } from 'chai';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { Plan } from '../../../src/plan/types.ts';
import { addVouchers, type MayReach } from '../../../src/plan/vouch.ts';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import type { NetworkPolicy } from '../../../src/policy/types.ts';
import type { PodInfo as PolicyPod } from '../../../src/model/cluster.ts';
import { mayReachBy } from '../../../src/run/vouchers.ts';
import type { ProbeObservation } from '../../../src/probe/types.ts';
import { judge } from '../../../src/verdict/judge.ts';
import type { Outcome } from '../../../src/probe/types.ts';
import { casesOf, pod, snapshot } from '../support/world.ts';

const sel = (app: string) => `{namespace: shop, podSelector: {matchLabels: {app: ${app}}}}`;
const world = (webReadiness = false) =>
  snapshot(['shop'], {
    pods: [
      pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.10'], readinessPorts: webReadiness ? [{ port: 8080, kind: 'tcpSocket' }] : [] }),
      pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.20'] }),
      pod('shop', 'monitor-0', { app: 'monitor' }, { ips: ['10.1.0.30'] }),
    ],
  });
/** The policies' answer: only app=api may reach web (10.1.0.10) on 8080. */
const onlyApi: MayReach = (s, ip, port) => s.labels.app === 'api' && ip === '10.1.0.10' && port === 8080;

function planOf(expectations: string[], w = world()): Plan {
  return buildPlan(casesOf(`  expectations:\n${expectations.map((e) => `    - ${e}\n`).join('')}`), w);
}
const MONITOR_DENY = `{name: monitor must not reach web, from: ${sel('monitor')}, to: ${sel('web')}, port: 8080, expect: deny}`;
const API_TO_MONITOR = `{name: api may reach monitor, from: ${sel('api')}, to: ${sel('monitor')}, port: 9090, expect: allow}`;

function judgeWith(plan: Plan, outcome: (p: Plan['probes'][number]) => Outcome) {
  const observations = new Map<string, ProbeObservation>();
  for (const p of plan.probes) observations.set(p.id, { probeId: p.id, outcome: outcome(p), detail: '', ms: 3, attempts: 1, answeredBy: 'target' });
  return judge({ plan, observations });
}

describe('control probes from an identity the policies allow (planning)', () => {
  it('a deny to a target not shown alive gets one probe from a source of the run the policies allow, and no new pod', () => {
    const base = planOf([MONITOR_DENY, API_TO_MONITOR]);
    const plan = addVouchers(base, onlyApi);
    expect(plan.sources).to.deep.equal(base.sources);
    const added = plan.probes.filter((p) => p.vouch !== undefined);
    expect(added).to.have.length(1);
    const api = base.sources.find((s) => s.labels.app === 'api')!;
    expect(added[0]!).to.deep.include({ sourceKey: api.key, vouch: api.standsFor, attempts: 1 });
    expect(added[0]!.target).to.deep.include({ kind: 'tcp', host: '10.1.0.10', port: 8080, aliveKeys: ['10.1.0.10:8080/tcp'] });
  });

  it('none when the target is already shown alive, when no source of the run may reach it, or for an allow', () => {
    expect(addVouchers(planOf([MONITOR_DENY, API_TO_MONITOR], world(true)), onlyApi).probes.some((p) => p.vouch)).to.equal(false);
    expect(addVouchers(planOf([MONITOR_DENY]), onlyApi).probes.some((p) => p.vouch), 'only monitor in the run').to.equal(false);
    const allow = `{name: monitor may reach web, from: ${sel('monitor')}, to: ${sel('web')}, port: 8080, expect: allow}`;
    expect(addVouchers(planOf([allow, API_TO_MONITOR]), onlyApi).probes.some((p) => p.vouch)).to.equal(false);
  });

  it('one control probe per target however many denies need it', () => {
    const other = `{name: monitor must not reach web twice, from: ${sel('monitor')}, to: {namespace: shop, workload: {kind: Pod, name: web-0}}, port: 8080, expect: deny}`;
    const plan = addVouchers(planOf([MONITOR_DENY, other, API_TO_MONITOR]), onlyApi);
    expect(plan.probes.filter((p) => p.vouch)).to.have.length(1);
  });
});

describe('control probes from an identity the policies allow (judging)', () => {
  const plan = addVouchers(planOf([MONITOR_DENY, API_TO_MONITOR]), onlyApi);
  const byName = (rs: ReturnType<typeof judge>) => new Map(rs.map((r) => [r.expectation, r]));

  it('a control probe that connects shows the target alive: the timed-out deny passes and names who vouched', () => {
    const rs = byName(judgeWith(plan, (p) => (p.vouch || p.target.port === 9090 ? 'connected' : 'timeout')));
    const r = rs.get('monitor must not reach web')!;
    expect(r.status, r.detail).to.equal('pass');
    expect(r.detail).to.match(/target alive: a control probe from shop\/api-0, an identity the policies allow, connected/);
    expect(rs.size, 'the control probe is no result').to.equal(2);
  });

  it('without it (or when it does not connect) the same deny stays inconclusive', () => {
    const base = planOf([MONITOR_DENY, API_TO_MONITOR]);
    expect(byName(judgeWith(base, (p) => (p.target.port === 9090 ? 'connected' : 'timeout'))).get('monitor must not reach web')!.status).to.equal('inconclusive');
    const failed = byName(judgeWith(plan, (p) => (p.target.port === 9090 ? 'connected' : 'timeout'))).get('monitor must not reach web')!;
    expect(failed.status).to.equal('inconclusive');
  });
});

describe('mayReachBy: the policy engine picks the identity', () => {
  const pods: PolicyPod[] = [
    { namespace: 'shop', name: 'web-0', labels: { app: 'web' }, ips: ['10.1.0.10'], containerPorts: [] },
    { namespace: 'shop', name: 'api-0', labels: { app: 'api' }, ips: ['10.1.0.20'], containerPorts: [] },
  ];
  const policies: NetworkPolicy[] = [
    { metadata: { namespace: 'shop', name: 'default-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    { metadata: { namespace: 'shop', name: 'api-to-web' }, spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080 }] }] } },
  ];
  const may = mayReachBy(new PolicyEngine({ policies, namespaces: [{ name: 'shop', labels: {} }], pods }), { pods });
  const identity = (app: string) => ({ key: app, namespace: 'shop', labels: { app }, serviceAccount: 'default', standsFor: app });

  it('allowed identity yes, denied identity no, another port no', () => {
    expect(may(identity('api'), '10.1.0.10', 8080, 'tcp')).to.equal(true);
    expect(may(identity('monitor'), '10.1.0.10', 8080, 'tcp')).to.equal(false);
    expect(may(identity('api'), '10.1.0.10', 9090, 'tcp')).to.equal(false);
  });

  it('an address of no known pod: no (its ingress policies are unknown)', () => {
    expect(may(identity('api'), '10.1.0.99', 8080, 'tcp')).to.equal(false);
  });
});
