// Probing from inside running pods (issue 4, Plan: "optionally probe from inside a real pod of a
// workload"): which pod gets the ephemeral container, when the plan falls back to a probe pod, and what a
// run asks permission for and prints.
import { expect } from 'chai';
import { ephemeralPermissions } from '../../../src/cluster/access.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import { reproduceCommand } from '../../../src/probe/reproduce.ts';
import { describePlan } from '../../../src/run/run-suites.ts';
import { deployment, oneCase, pod, snapshot } from '../support/world.ts';

const DB = `{namespace: shop, podSelector: {matchLabels: {app: db}}}`;

describe('plan: sources probed from inside their own pods', () => {
  const pods = [
    pod('shop', 'web-b', { app: 'web', 'pod-template-hash': 'h1' }),
    pod('shop', 'web-a', { app: 'web', 'pod-template-hash': 'h1' }),
    pod('shop', 'web-c', { app: 'web' }, { ready: false }),
    pod('shop', 'db-0', { app: 'db' }),
  ];
  const snap = snapshot(['shop'], { pods, workloads: [deployment('shop', 'web', { app: 'web' })] });

  it('ephemeral: true picks one running, Ready pod per identity (the first by name)', () => {
    const plan = buildPlan([oneCase(`{from: {namespace: shop, workload: {kind: Deployment, name: web}, ephemeral: true}, to: ${DB}, port: 5432, expect: deny}`)], snap);
    expect(plan.sources).to.have.length(1);
    expect(plan.sources[0]!.inPod).to.equal('web-a');
    expect(plan.sources[0]!.labels).to.deep.equal({ app: 'web' });
    expect(plan.probes).to.have.length(1);
    expect(plan.unprobeable).to.deep.equal([]);
  });

  it('a source probed from inside and the same identity from a probe pod are two sources', () => {
    const plan = buildPlan(
      [
        oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web}}, ephemeral: true}, to: ${DB}, port: 5432, expect: deny}`),
        oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: ${DB}, port: 5432, expect: deny}`),
      ],
      snap,
    );
    expect(plan.sources.map((s) => s.inPod ?? 'probe pod')).to.deep.equal(['web-a', 'probe pod']);
    expect(new Set(plan.sources.map((s) => s.key)).size).to.equal(2);
  });

  it('asked for in the suite, no running pod is inconclusive (never a probe pod in its place)', () => {
    const none = snapshot(['shop'], { pods: [pod('shop', 'web-c', { app: 'web' }, { ready: false })], workloads: [deployment('shop', 'web', { app: 'web' })] });
    const plan = buildPlan([oneCase(`{from: {namespace: shop, workload: {kind: Deployment, name: web}, ephemeral: true}, to: {host: 198.51.100.10}, port: 80, expect: deny}`)], none);
    expect(plan.sources).to.deep.equal([]);
    expect(plan.unprobeable.map((u) => u.reason)).to.deep.equal(['source: no running, Ready pod of Deployment shop/web to probe from inside (ephemeral: true)']);
    const missing = buildPlan([oneCase(`{from: {namespace: shop, workload: {kind: Deployment, name: gone}, ephemeral: true}, to: {host: 198.51.100.10}, port: 80, expect: deny}`)], none);
    expect(missing.unprobeable.map((u) => u.reason)).to.deep.equal(['source: Deployment shop/gone does not exist']);
  });

  it('--ephemeral applies to every source with a running pod; the others keep a probe pod (synthetic ones too)', () => {
    const cases = [
      oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: ${DB}, port: 5432, expect: deny}`),
      oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: ghost}}, synthetic: true}, to: ${DB}, port: 5432, expect: deny}`),
    ];
    const plan = buildPlan(cases, snap, { ephemeral: true });
    expect(plan.sources.map((s) => s.inPod ?? `probe pod ${JSON.stringify(s.labels)}`)).to.deep.equal(['web-a', 'probe pod {"app":"ghost"}']);
    expect(buildPlan(cases, snap).sources.every((s) => s.inPod === undefined)).to.equal(true);
  });

  it('--dry-run names the pod that gets the container and says it stays in the spec', () => {
    const plan = buildPlan([oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web}}, ephemeral: true}, to: ${DB}, port: 5432, expect: deny}`)], snap);
    const lines = describePlan(plan);
    expect(lines[0]).to.equal("1 cases, 1 probes, 0 probe pods, 0 echo servers, 1 ephemeral containers in running pods (they stay in those pods' specs)");
    expect(lines[1]).to.equal('  ephemeral container in pod shop/web-a (for shop/web-a (from inside, ephemeral container)); 1 probes');
  });

  it('the reproduce command goes into the same pod with kubectl debug', () => {
    const plan = buildPlan([oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web}}, ephemeral: true}, to: ${DB}, port: 5432, expect: deny}`)], snap);
    const cmd = reproduceCommand(plan.probes[0]!, plan.sources[0], 'localhost/netprobe/probe:1', new Map());
    expect(cmd).to.match(/^kubectl debug -n shop web-a -i --image=localhost\/netprobe\/probe:1 --profile=restricted -- nc -z -v -w \d+ 10\.244\.0\.\d+ 5432$/);
  });
});

describe('probing from inside: permissions', () => {
  it('needs update on pods/ephemeralcontainers and exec where it goes, and no pod create', () => {
    const perms = ephemeralPermissions(['shop', 'shop']);
    expect(perms.map((p) => `${p.verb} ${p.resource}${p.subresource ? `/${p.subresource}` : ''} ${p.namespace}`)).to.deep.equal([
      'get pods shop',
      'update pods/ephemeralcontainers shop',
      'get pods/exec shop',
      'create pods/exec shop',
    ]);
  });
});
