// Issue 11: --verify-targets shows a deny's target alive with no traffic, from the target pod's own
// listening sockets (/proc/net/tcp{,6} read from an ephemeral container; the tables: probe/listening.test.ts).
// Which pods get a check, what the verdict says with each answer, and the permissions it needs.
import { expect } from 'chai';
import { describePermission } from '../../../src/cluster/access.ts';
import { grants, rbacManifests } from '../../../src/cluster/rbac-manifests.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { Plan } from '../../../src/plan/types.ts';
import { addTargetChecks } from '../../../src/plan/verify.ts';
import { addVouchers } from '../../../src/plan/vouch.ts';
import { wavePlan } from '../../../src/plan/waves.ts';
import type { ProbeObservation } from '../../../src/probe/types.ts';
import { namespaceUse, plannedUse, usePermissions } from '../../../src/run/namespace-use.ts';
import { describePlan } from '../../../src/run/run-suites.ts';
import { showAliveStep } from '../../../src/verdict/decide-by.ts';
import { judge } from '../../../src/verdict/judge.ts';
import { casesOf, pod, snapshot } from '../support/world.ts';

const sel = (app: string) => `{namespace: shop, podSelector: {matchLabels: {app: ${app}}}}`;
const world = (extra: { webReady?: boolean; webHostNetwork?: boolean } = {}) =>
  snapshot(['shop'], {
    pods: [
      pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.10'], hostNetwork: extra.webHostNetwork === true, readinessPorts: extra.webReady ? [{ port: 8080, kind: 'tcpSocket' }] : [] }),
      pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.11'] }),
      pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.20'] }),
    ],
  });
const deny = (to: string, port: number, protocol = 'TCP') => `{from: ${sel('api')}, to: ${sel(to)}, port: ${port}, protocol: ${protocol}, expect: deny}`;
const planOf = (lines: string[], w = world()): Plan => buildPlan(casesOf(`  expectations:\n${lines.map((l) => `    - ${l}\n`).join('')}`), w, { verifyTargets: true });

describe('--verify-targets: which pods get a check', () => {
  it('one per pod holding deny targets that nothing shows alive, with every such port of it', () => {
    const plan = addTargetChecks(planOf([deny('web', 8080), deny('web', 9090), deny('db', 5432)]), world().pods);
    expect(plan.targetChecks).to.deep.equal([
      { namespace: 'shop', pod: 'web-0', ip: '10.1.0.10', ports: [{ port: 8080, aliveKey: '10.1.0.10:8080/tcp' }, { port: 9090, aliveKey: '10.1.0.10:9090/tcp' }] },
      { namespace: 'shop', pod: 'db-0', ip: '10.1.0.11', ports: [{ port: 5432, aliveKey: '10.1.0.11:5432/tcp' }] },
    ]);
    expect(describePlan(plan).join('\n')).to.contain("ephemeral container in pod shop/web-0 (it stays in the pod's spec) reads its sockets for TCP 8080, 9090");
  });

  it('none for a target a readiness probe shows alive, for an allow, for UDP, for a hostNetwork pod, or where a control probe already vouches', () => {
    expect(addTargetChecks(planOf([deny('web', 8080)], world({ webReady: true })), world({ webReady: true }).pods).targetChecks).to.equal(undefined);
    expect(addTargetChecks(planOf([`{from: ${sel('api')}, to: ${sel('web')}, port: 8080, expect: allow}`]), world().pods).targetChecks).to.equal(undefined);
    expect(addTargetChecks(planOf([deny('web', 53, 'UDP')]), world().pods).targetChecks).to.equal(undefined);
    const host = world({ webHostNetwork: true });
    expect(addTargetChecks(planOf([deny('web', 8080)], host), host.pods).targetChecks).to.equal(undefined);
    const withDb = planOf([deny('web', 8080), `{from: ${sel('db')}, to: ${sel('api')}, port: 80, expect: deny}`]);
    const vouched = addVouchers(withDb, (s, ip) => s.labels.app === 'db' && ip === '10.1.0.10');
    expect(addTargetChecks(vouched, world().pods).targetChecks?.map((c) => c.pod)).to.deep.equal(['api-0']);
  });
});

describe('--verify-targets: in waves', () => {
  it('the reads go with the first wave only (they need no pod of the run; a pod takes one such container per run)', () => {
    const plan = addTargetChecks(planOf([deny('web', 8080)]), world().pods);
    const wave = { sources: plan.sources.map((s) => s.key), servers: [] };
    expect(wavePlan(plan, wave, true).targetChecks).to.deep.equal(plan.targetChecks);
    expect(wavePlan(plan, wave, false).targetChecks).to.equal(undefined);
  });
});

describe('--verify-targets: the verdict', () => {
  const plan = addTargetChecks(planOf([deny('web', 8080)]), world().pods);
  const dns = `{from: ${sel('api')}, to: {host: 198.51.100.1}, port: 443, expect: allow}`;
  const withAnswer = addTargetChecks(planOf([deny('web', 8080), dns]), world().pods);
  const observe = (p: Plan) => {
    const observations = new Map<string, ProbeObservation>();
    // A plugin that drops: the deny times out; the source got some answer (its allowed path connected).
    for (const x of p.probes) observations.set(x.id, x.target.host === '198.51.100.1' ? { probeId: x.id, outcome: 'connected', detail: '', ms: 3, attempts: 1, answeredBy: 'target' } : { probeId: x.id, outcome: 'timeout', detail: '', ms: 2000, attempts: 1 });
    return observations;
  };
  const webResult = (p: Plan, extra: Partial<Parameters<typeof judge>[0]>) => judge({ plan: p, observations: observe(p), ...extra }).find((r) => r.destination.includes('web'))!;

  it('a listener on the port shows the target alive: the timeout proves the deny, and the result says how it was shown', () => {
    const why = 'pod shop/web-0 listens on TCP 8080 (its sockets, read by --verify-targets from an ephemeral container)';
    const r = webResult(withAnswer, { aliveExtra: { '10.1.0.10:8080/tcp': why } });
    expect(r.status, r.detail).to.equal('pass');
    expect(r.detail).to.contain(`target alive: ${why}`);
  });

  it('no listener: inconclusive, naming what the sockets showed, and a port it listens on decides it', () => {
    const r = webResult(withAnswer, { targetChecks: { notListening: { '10.1.0.10:8080/tcp': 'pod shop/web-0 does not listen on TCP 8080 for other machines' }, failed: {} } });
    expect(r.status).to.equal('inconclusive');
    expect(r.detail).to.contain('does not listen on TCP 8080');
    expect(r.decideBy).to.match(/^probe a port that shop\/web-0 listens on/);
  });

  it('a check that could not run: inconclusive with its reason', () => {
    const r = webResult(withAnswer, { targetChecks: { notListening: {}, failed: { '10.1.0.10:8080/tcp': '--verify-targets could not read the sockets of pod shop/web-0: forbidden' } } });
    expect(r.status).to.equal('inconclusive');
    expect(r.detail).to.contain('forbidden');
  });

  it('without the flag, an unproven deny to a pod names --verify-targets among the steps; not for UDP', () => {
    const tcp = plan.probes[0]!;
    expect(showAliveStep(tcp)).to.contain('run with --verify-targets').and.contain("stays in the pod's spec");
    const udp = planOf([deny('web', 53, 'UDP')]).probes[0]!;
    expect(showAliveStep(udp)).not.to.contain('--verify-targets');
  });
});

describe('--verify-targets: permissions', () => {
  const SA = { kind: 'ServiceAccount', name: 'netprobe', namespace: 'netprobe' } as const;
  const cases = casesOf(`  expectations:\n    - {from: {namespace: a, podSelector: {matchLabels: {app: x}}}, to: {namespace: t, podSelector: {matchLabels: {app: y}}}, port: 80, expect: deny}\n    - {from: {namespace: a, podSelector: {matchLabels: {app: x}}}, to: {namespace: u, podSelector: {matchLabels: {app: y}}}, port: 80, expect: allow}\n`);

  it('ephemeral containers and pod logs where deny targets run, nowhere else, and only with the flag', () => {
    expect(namespaceUse(cases, { ephemeral: false, synthesizeMissing: false, verifyTargets: true }, 'certain').verify).to.deep.equal(['t']);
    expect(namespaceUse(cases, { ephemeral: false, synthesizeMissing: false }, 'certain').verify).to.deep.equal([]);
    const perms = usePermissions(namespaceUse(cases, { ephemeral: false, synthesizeMissing: false, verifyTargets: true }, 'possible')).map(describePermission);
    expect(perms).to.include.members(['update pods/ephemeralcontainers in namespace t', 'get pods/log in namespace t', 'get pods in namespace t']);
    expect(perms.filter((p) => p.includes('ephemeralcontainers') || p.includes('pods/log'))).to.have.length(2);
  });

  it('what a plan with checks asks for, `netprobe rbac --verify-targets` grants', () => {
    const w = snapshot(['a', 't'], { pods: [pod('a', 'x-0', { app: 'x' }), pod('t', 'y-0', { app: 'y' })] });
    const planned = plannedUse(addTargetChecks(buildPlan(cases.slice(0, 1), w, { verifyTargets: true }), w.pods));
    expect(planned.verify).to.deep.equal(['t']);
    const objects = rbacManifests(usePermissions(namespaceUse(cases, { ephemeral: false, synthesizeMissing: false, verifyTargets: true }, 'possible')), SA);
    for (const p of usePermissions(planned)) expect(grants(objects, SA, p), describePermission(p)).to.equal(true);
  });
});
