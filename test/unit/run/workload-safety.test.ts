// Issue 10, "probe pods must never act as the workload": controller labels are never copied (and the run
// says which were dropped, and makes a source's results inconclusive when a policy tells the probe pod
// apart from the real one), netprobe's pods are used once their containers are ready (their Ready
// condition never turns True), and the per-run owner chain (Job -> Lease -> pods) and its permissions.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { describePermission, runPermissions } from '../../../src/cluster/access.ts';
import { containersReady } from '../../../src/cluster/pods.ts';
import { anchorLease, expiryJob } from '../../../src/cluster/run-owner.ts';
import { identityLabels, makeIdentity } from '../../../src/plan/identity.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import { checkDroppedLabels, podSelectorsIn, type PolicySelectors } from '../../../src/run/dropped-labels.ts';
import { notReadyPublishers } from '../../../src/run/not-ready-services.ts';
import { disruptionBudgetsHeld } from '../../../src/run/disruption-budgets.ts';
import type { Result } from '../../../src/verdict/model.ts';
import { renderFindings } from '../../../src/verdict/patterns.ts';
import { casesOf, pod, service, snapshot } from '../support/world.ts';

const JOB_POD_LABELS = {
  app: 'batch',
  'batch.kubernetes.io/controller-uid': '7c1d',
  'batch.kubernetes.io/job-name': 'nightly',
  'controller-uid': '7c1d',
  'job-name': 'nightly',
};

describe('controller labels are never copied to netprobe\'s pods', () => {
  it('drops the Job controller\'s labels (controller-uid, job-name, batch.kubernetes.io/*) and says which', () => {
    const id = makeIdentity('jobs', JOB_POD_LABELS, 'default', 'jobs/nightly-x');
    expect(id.labels).to.deep.equal({ app: 'batch' });
    expect(id.droppedLabels).to.deep.equal({
      'batch.kubernetes.io/controller-uid': '7c1d',
      'batch.kubernetes.io/job-name': 'nightly',
      'controller-uid': '7c1d',
      'job-name': 'nightly',
    });
  });

  it('drops the template hashes ReplicaSets, DaemonSets, StatefulSets and Argo Rollouts select on', () => {
    const labels = {
      app: 'web',
      'pod-template-hash': 'a',
      'rollouts-pod-template-hash': 'b',
      'controller-revision-hash': 'c',
      'pod-template-generation': '3',
      'statefulset.kubernetes.io/pod-name': 'web-0',
      'apps.kubernetes.io/pod-index': '0',
      'batch.kubernetes.io/job-completion-index': '2',
    };
    expect(identityLabels(labels)).to.deep.equal({ app: 'web' });
  });

  it('keeps a pod without controller labels as it is, with nothing reported', () => {
    const id = makeIdentity('shop', { app: 'web', tier: 'front' }, 'default', 'shop/web');
    expect(id.labels).to.deep.equal({ app: 'web', tier: 'front' });
    expect(id).to.not.have.property('droppedLabels');
  });

  it('the plan for a Job\'s pod: its probe pod carries app=batch only; an echo server for a job-name selector drops it too', () => {
    const cases = casesOf(`  expectations:
    - {name: job out, from: {namespace: jobs, podSelector: {matchLabels: {app: batch}}}, to: {namespace: jobs, podSelector: {matchLabels: {app: ghost, job-name: nightly}}, synthetic: true}, port: 80, expect: allow}
`);
    const plan = buildPlan(cases, snapshot(['jobs'], { pods: [pod('jobs', 'nightly-x', JOB_POD_LABELS)] }));
    expect(plan.sources.map((s) => s.labels)).to.deep.equal([{ app: 'batch' }]);
    expect(plan.servers.map((s) => [s.labels, s.droppedLabels])).to.deep.equal([[{ app: 'ghost' }, { 'job-name': 'nightly' }]]);
  });
});

function result(name: string, status: Result['status'] = 'pass'): Result {
  return {
    name, expectation: name, suite: 's', location: 'f.yaml:1:1', source: 'a', destination: 'b', port: '80', protocol: 'TCP',
    expect: 'deny', observed: 'denied', outcome: 'refused', status, durationMs: 1, attempts: 1, detail: '', tags: [],
  };
}

describe('a source that lost controller labels: its results are proof only if no policy tells it apart', () => {
  const cases = casesOf(`  expectations:
    - {name: job to db, from: {namespace: jobs, podSelector: {matchLabels: {app: batch}}}, to: {namespace: jobs, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: deny}
    - {name: web to db, from: {namespace: jobs, podSelector: {matchLabels: {app: web}}}, to: {namespace: jobs, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: deny}
`);
  const cluster = snapshot(['jobs'], {
    pods: [pod('jobs', 'nightly-x', JOB_POD_LABELS), pod('jobs', 'web-1', { app: 'web', 'pod-template-hash': 'h1' }), pod('jobs', 'db-0', { app: 'db' })],
  });
  const plan = buildPlan(cases, cluster);
  const results = [result('job to db'), result('web to db')];
  const policy = (name: string, spec: unknown): PolicySelectors => ({ name, selectors: podSelectorsIn(spec) });

  it('a policy that selects on job-name makes the Job source\'s results inconclusive, naming the policy and the labels', () => {
    const egress = policy('jobs/nightly-egress', { podSelector: { matchLabels: { 'job-name': 'nightly' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] });
    const out = checkDroppedLabels(plan, results, [egress]);
    const job = out.results.find((r) => r.name === 'job to db')!;
    expect(job.status).to.equal('inconclusive');
    expect(job.detail).to.contain('jobs/nightly-egress').and.contain('job-name=nightly').and.contain('pass');
    expect(job.decideBy).to.contain('ephemeral: true');
    expect(out.results.find((r) => r.name === 'web to db')!.status).to.equal('pass');
  });

  it('a peer selector with matchExpressions on a dropped key counts too (DoesNotExist matches only the probe pod)', () => {
    const ingress = policy('jobs/db-in', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'controller-uid', operator: 'DoesNotExist' }] } }] }] });
    expect(checkDroppedLabels(plan, results, [ingress]).results.find((r) => r.name === 'job to db')!.status).to.equal('inconclusive');
  });

  it('policies that select on kept labels only leave every result as it was, and the report still lists the dropped labels', () => {
    const out = checkDroppedLabels(plan, results, [policy('jobs/db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'batch' } } }] }] })]);
    expect(out.results.map((r) => r.status)).to.deep.equal(['pass', 'pass']);
    expect(out.findings).to.have.length(1);
    expect(out.findings[0]!.pattern).to.equal('dropped-labels');
    expect(out.findings[0]!.message).to.contain('job-name=nightly').and.contain('pod-template-hash=h1');
    expect(out.findings[0]!.results).to.deep.equal(['job to db', 'web to db']);
    // Nothing it names changed a verdict: kept in the report, not printed after every run.
    expect(out.findings[0]!.quiet).to.equal(true);
    expect(renderFindings(out.findings)).to.deep.equal([]);
  });

  it('a dropped label that made a result inconclusive is said in the terminal too', () => {
    const egress = policy('jobs/nightly-egress', { podSelector: { matchLabels: { 'job-name': 'nightly' } }, policyTypes: ['Egress'], egress: [] });
    const out = checkDroppedLabels(plan, results, [egress]);
    expect(out.findings[0]!.quiet).to.equal(undefined);
    expect(renderFindings(out.findings).join('\n')).to.contain('finding (dropped-labels)');
  });

  it('without the policies, losing job-name cannot be vouched for; losing only a template hash can', () => {
    const out = checkDroppedLabels(plan, results, undefined);
    const job = out.results.find((r) => r.name === 'job to db')!;
    expect(job.status).to.equal('inconclusive');
    expect(job.detail).to.contain('could not read the policies');
    expect(job.decideBy).to.contain('--policies');
    expect(out.results.find((r) => r.name === 'web to db')!.status).to.equal('pass');
  });

  it('finds pod selectors in admin network policies too', () => {
    const anp = { priority: 5, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { 'job-name': 'nightly' } } } }, egress: [] };
    expect(podSelectorsIn(anp)).to.deep.equal([{ matchLabels: { 'job-name': 'nightly' } }]);
  });
});

describe('Services that publish not-ready pods are named', () => {
  it('a headless Service with publishNotReadyAddresses selecting the probe pod\'s labels gives a finding', () => {
    const cases = casesOf(`  expectations:
    - {name: web out, from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [pod('shop', 'web-1', { app: 'web' }), pod('shop', 'db-0', { app: 'db' })] }));
    const peers = { ...service('shop', 'web-peers', { app: 'web' }, [{ port: 80, targetPort: 80, protocol: 'TCP' }], 'None'), publishNotReadyAddresses: true as const };
    const plain = service('shop', 'web', { app: 'web' }, [{ port: 80, targetPort: 80, protocol: 'TCP' }]);
    expect(notReadyPublishers(plan, [plain])).to.deep.equal([]);
    const [f] = notReadyPublishers(plan, [plain, peers]);
    expect(f!.pattern).to.equal('publishes-not-ready');
    expect(f!.message).to.contain('shop/web-peers').and.not.contain('shop/web,');
    expect(f!.results).to.deep.equal(['web out']);
  });
});

const WEB_TO_DB = `  expectations:
    - {name: web out, from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: allow}
`;

describe('PodDisruptionBudgets that netprobe\'s pods hold up are named', () => {
  const budget = (name: string, matchLabels: Record<string, string>, needsScale: boolean, namespace = 'shop') => ({ namespace, name, selector: { matchLabels }, needsScale });
  it('names a maxUnavailable or percentage budget selecting a probe pod, not a plain minAvailable one or another namespace\'s', () => {
    const cases = casesOf(WEB_TO_DB);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [pod('shop', 'web-1', { app: 'web' }), pod('shop', 'db-0', { app: 'db' })] }));
    expect(disruptionBudgetsHeld(plan, [budget('web-min', { app: 'web' }, false), budget('web-other-ns', { app: 'web' }, true, 'other'), budget('db-max', { app: 'db' }, true)])).to.deep.equal([]);
    const [f] = disruptionBudgetsHeld(plan, [budget('web-max', { app: 'web' }, true), budget('web-min', { app: 'web' }, false)]);
    expect(f!.pattern).to.equal('holds-disruption-budget');
    expect(f!.message).to.contain('shop/web-max').and.not.contain('web-min');
    expect(f!.results).to.deep.equal(['web out']);
  });

  it('an empty selector selects every pod of its namespace', () => {
    const cases = casesOf(WEB_TO_DB);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [pod('shop', 'web-1', { app: 'web' }), pod('shop', 'db-0', { app: 'db' })] }));
    expect(disruptionBudgetsHeld(plan, [{ namespace: 'shop', name: 'all', selector: {}, needsScale: true }])[0]?.message).to.contain('shop/all');
  });
});

describe('netprobe\'s pods are usable once their containers are ready', () => {
  const withConditions = (conditions: { type: string; status: string }[]): V1Pod => ({ status: { phase: 'Running', podIP: '10.0.0.1', conditions } });
  it('Ready False (the readiness gate) with ContainersReady True is usable; ContainersReady False is not', () => {
    expect(containersReady(withConditions([{ type: 'Ready', status: 'False' }, { type: 'ContainersReady', status: 'True' }]))).to.equal(true);
    expect(containersReady(withConditions([{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'False' }]))).to.equal(false);
    expect(containersReady(withConditions([]))).to.equal(false);
  });
});

describe('the per-run owner chain: an expiry Job owns the Lease, the Lease owns the pods', () => {
  it('the Job never starts a pod, fails at the run\'s deadline (plus a margin) and is deleted at once after', () => {
    const job = expiryJob('abc123', 'shop', 900, 'probe:1');
    expect(job.metadata).to.deep.include({ name: 'netprobe-abc123', namespace: 'shop' });
    expect(job.metadata!.labels).to.deep.equal({ 'app.kubernetes.io/managed-by': 'netprobe', 'netprobe.dev/run': 'abc123' });
    expect(job.spec).to.deep.include({ parallelism: 0, ttlSecondsAfterFinished: 0 });
    expect(job.spec!.activeDeadlineSeconds).to.be.at.least(900);
  });

  it('the Lease follows the heartbeat contract and is owned by the Job', () => {
    const now = new Date('2026-11-29T23:00:00Z');
    const lease = anchorLease('abc123', 'shop', { name: 'netprobe-abc123', uid: 'u-1' }, now);
    expect(lease.metadata).to.deep.include({ name: 'netprobe-abc123', namespace: 'shop' });
    expect(lease.metadata!.labels).to.deep.equal({ 'app.kubernetes.io/managed-by': 'netprobe', 'netprobe.dev/run': 'abc123' });
    expect(lease.metadata!.ownerReferences).to.deep.equal([{ apiVersion: 'batch/v1', kind: 'Job', name: 'netprobe-abc123', uid: 'u-1' }]);
    expect(lease.spec).to.deep.include({ holderIdentity: 'netprobe', leaseDurationSeconds: 30 });
    expect(new Date(lease.spec!.renewTime!).getTime()).to.equal(now.getTime());
    expect(JSON.stringify(lease.spec!.renewTime)).to.equal('"2026-11-29T23:00:00.000000Z"');
  });

  it('a run asks, where it makes pods, for what the owner chain needs', () => {
    const perms = runPermissions(['shop'], ['shop']).map(describePermission);
    expect(perms).to.include.members([
      'create leases.coordination.k8s.io in namespace shop',
      'patch leases.coordination.k8s.io in namespace shop',
      'delete leases.coordination.k8s.io in namespace shop',
      'create jobs.batch in namespace shop',
      'delete jobs.batch in namespace shop',
    ]);
    expect(runPermissions(['shop', 'db'], ['shop']).map(describePermission)).to.not.include('create jobs.batch in namespace db');
  });
});
