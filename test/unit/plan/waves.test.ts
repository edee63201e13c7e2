// Waves (src/plan/waves.ts): the budget a cluster gives netprobe's pods (free node slots, ResourceQuotas,
// --max-pods), and the split of a plan's probe pods and echo servers into waves that fit it.
import { expect } from 'chai';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { Plan } from '../../../src/plan/types.ts';
import { nodeSlots, nodeTakes, planWaves, podBudget, quotaSlots, wavePlan, type NodeRoom, type PodBudget, type QuotaRoom } from '../../../src/plan/waves.ts';
import { RESOURCES } from '../../../src/probe/podspec.ts';
import { formatProgress } from '../../../src/report/progress.ts';
import { describeWaves } from '../../../src/run/run-suites.ts';
import { parseQuantity } from '../../../src/util/quantity.ts';
import { casesOf, snapshot } from '../support/world.ts';

const node = (name: string, extra: Partial<NodeRoom> = {}): NodeRoom => ({ name, labels: {}, taints: [], unschedulable: false, ready: true, allocatablePods: 110, podsOn: 100, ...extra });
const quota = (hard: Record<string, string>, used: Record<string, string>, namespace = 'q'): QuotaRoom => ({ namespace, name: 'limits', hard, used });
const NOWHERE = { nodeSelector: {}, tolerations: [] };

/** `n` stand-in sources in `ns`, each allowed to one echo server (`servers` of them, round robin). */
function standInPlan(n: number, ns = 'q', servers = 1): Plan {
  const expectations = Array.from({ length: n }, (_, i) =>
    `    - {from: {namespace: ${ns}, podSelector: {matchLabels: {app: src-${i}}}, synthetic: true}, to: {namespace: ${ns}, podSelector: {matchLabels: {app: echo-${i % servers}}}, synthetic: true}, port: 8080, expect: allow}`,
  );
  return buildPlan(casesOf(`  expectations:\n${expectations.join('\n')}\n`), snapshot([ns]), {});
}

/** Every source and server of the plan in the waves, each source exactly once; the pods of the largest wave. */
function checkCover(plan: Plan, waves: ReturnType<typeof planWaves>): number {
  expect(waves.flatMap((w) => w.sources).sort()).to.deep.equal(plan.sources.map((s) => s.key).sort());
  expect([...new Set(waves.flatMap((w) => w.servers))].sort()).to.deep.equal(plan.servers.map((s) => s.key).sort());
  return Math.max(...waves.map((w) => w.sources.length + w.servers.length));
}

describe('waves: quantities', () => {
  it('reads cpu, memory and plain numbers as the API writes them', () => {
    expect(parseQuantity('10m')).to.equal(0.01);
    expect(parseQuantity('2')).to.equal(2);
    expect(parseQuantity('1.5')).to.equal(1.5);
    expect(parseQuantity('16Mi')).to.equal(16 * 2 ** 20);
    expect(parseQuantity('1Gi')).to.equal(2 ** 30);
    expect(parseQuantity('128M')).to.equal(128e6);
    expect(parseQuantity('2e3')).to.equal(2000);
    expect(parseQuantity('1E')).to.equal(1e18);
    expect(parseQuantity('lots')).to.equal(undefined);
    expect(parseQuantity('5 Mi')).to.equal(undefined);
  });
});

describe('waves: the budget', () => {
  it('free slots: allocatable pods minus the pods there, on the nodes that take netprobe\'s pods', () => {
    const nodes = [
      node('a', { podsOn: 104 }),
      node('b', { podsOn: 110 }),
      node('cordoned', { unschedulable: true, podsOn: 0 }),
      node('down', { ready: false, podsOn: 0 }),
      node('tainted', { podsOn: 0, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      node('prefers', { podsOn: 108, taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
    ];
    expect(nodeSlots(nodes, NOWHERE)).to.deep.include({ slots: 8 });
    expect(nodeSlots(nodes, NOWHERE).why).to.equal('8 free pod slots on 3 of 6 nodes that take netprobe\'s pods (a 6 of 110, b 0 of 110, prefers 2 of 110)');
    // --toleration dedicated=gpu:NoSchedule opens the tainted node; Exists without a key tolerates every taint.
    expect(nodeSlots(nodes, { nodeSelector: {}, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }).slots).to.equal(118);
    expect(nodeTakes(nodes[4]!, { nodeSelector: {}, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] })).to.equal(false);
    expect(nodeTakes(nodes[4]!, { nodeSelector: {}, tolerations: [{ operator: 'Exists' }] })).to.equal(true);
  });

  it('names a few nodes, not every node of a large cluster', () => {
    const many = Array.from({ length: 40 }, (_, i) => node(`n${i}`, { podsOn: 109 }));
    expect(nodeSlots(many, NOWHERE).why).to.equal('40 free pod slots on 40 of 40 nodes that take netprobe\'s pods (n0 1 of 110, n1 1 of 110, n2 1 of 110, 37 more)');
  });

  it('a nodeSelector counts only the nodes it matches', () => {
    const nodes = [node('a', { labels: { pool: 'probe' }, podsOn: 100 }), node('b', { labels: { pool: 'app' }, podsOn: 0 })];
    expect(nodeSlots(nodes, { nodeSelector: { pool: 'probe' }, tolerations: [] }).slots).to.equal(10);
    expect(nodeSlots(nodes, { nodeSelector: { pool: 'none' }, tolerations: [] }).slots).to.equal(0);
  });

  it('a quota admits as many pods as its tightest resource has room for, at netprobe\'s pod size', () => {
    expect(quotaSlots(quota({ pods: '5' }, { pods: '1' }), RESOURCES)).to.deep.equal({ slots: 4, why: 'ResourceQuota q/limits: pods 1 of 5 used, room for 4' });
    // requests.cpu 100m, 40m used: 60m left at 10m each.
    expect(quotaSlots(quota({ pods: '50', 'requests.cpu': '100m' }, { pods: '3', 'requests.cpu': '40m' }), RESOURCES)!.slots).to.equal(6);
    // memory (requests) 100Mi with 20Mi used: 80Mi at 16Mi each.
    expect(quotaSlots(quota({ memory: '100Mi' }, { memory: '20Mi' }), RESOURCES)!.slots).to.equal(5);
    // limits.memory 256Mi at 64Mi each (the limit, not the request, is what it charges).
    expect(quotaSlots(quota({ 'limits.memory': '256Mi' }, {}), RESOURCES)!.slots).to.equal(4);
    expect(quotaSlots(quota({ 'count/pods': '3' }, { 'count/pods': '3' }), RESOURCES)!.slots).to.equal(0);
    // Over its limit already (a quota lowered under what runs): no room, never negative.
    expect(quotaSlots(quota({ pods: '2' }, { pods: '4' }), RESOURCES)!.slots).to.equal(0);
    expect(quotaSlots(quota({ services: '3', 'requests.storage': '1Gi' }, {}), RESOURCES)).to.equal(undefined);
  });

  it('the least of nodes, --max-pods and each namespace\'s quotas, with the reasons', () => {
    const b = podBudget({ nodes: [node('a')], quotas: [quota({ pods: '5' }, { pods: '0' }), quota({ 'requests.cpu': '30m' }, {})], maxPods: 7, placement: NOWHERE, size: RESOURCES, unread: ['x unknown'] });
    expect(b.total).to.equal(7);
    expect(b.perNamespace).to.deep.equal({ q: 3 });
    expect(b.unread).to.deep.equal(['x unknown']);
    expect(b.why).to.deep.equal([
      '10 free pod slots on 1 of 1 nodes that take netprobe\'s pods (a 10 of 110)',
      '--max-pods 7',
      'ResourceQuota q/limits: pods 0 of 5 used, room for 5',
      'ResourceQuota q/limits: requests.cpu 0 of 30m used, room for 3',
    ]);
    expect(podBudget({ quotas: [], placement: NOWHERE, size: RESOURCES })).to.deep.equal({ perNamespace: {}, why: [], unread: [] });
  });
});

describe('waves: the split', () => {
  const budget = (b: Partial<PodBudget>): PodBudget => ({ perNamespace: {}, why: [], unread: [], ...b });

  it('no limit known: one wave with everything, as before waves', () => {
    const plan = standInPlan(20);
    const waves = planWaves(plan, budget({}));
    expect(waves).to.have.length(1);
    checkCover(plan, waves);
  });

  it('a quota of 5 pods and 20 sources that probe one echo server: 5 waves of 4 sources and the server', () => {
    const plan = standInPlan(20);
    const waves = planWaves(plan, budget({ perNamespace: { q: 5 } }));
    expect(waves.map((w) => [w.sources.length, w.servers.length])).to.deep.equal([[4, 1], [4, 1], [4, 1], [4, 1], [4, 1]]);
    expect(checkCover(plan, waves)).to.equal(5);
  });

  it('--max-pods 1 with sources that need an echo server: a source and its server still go together', () => {
    const plan = standInPlan(3);
    const waves = planWaves(plan, budget({ total: 1 }));
    expect(waves.map((w) => [w.sources.length, w.servers.length])).to.deep.equal([[1, 1], [1, 1], [1, 1]]);
  });

  it('sources that probe the same echo server share a wave; a server is started in each wave that needs it', () => {
    const plan = standInPlan(8, 'q', 2);
    const waves = planWaves(plan, budget({ total: 5 }));
    expect(waves.map((w) => w.servers.length)).to.deep.equal([1, 1]);
    expect(waves.map((w) => w.sources.length)).to.deep.equal([4, 4]);
    checkCover(plan, waves);
  });

  it('a namespace without a quota is limited only by the total', () => {
    const plan = { ...standInPlan(6, 'free'), servers: [] as Plan['servers'] };
    plan.probes = plan.probes.map((p) => ({ ...p, target: { ...p.target, serverKey: undefined } }));
    expect(planWaves(plan, budget({ perNamespace: { other: 1 } }))).to.have.length(1);
    expect(planWaves(plan, budget({ total: 4, perNamespace: { other: 1 } })).map((w) => w.sources.length)).to.deep.equal([4, 2]);
  });

  it('no room at all still makes progress: one source (and its server) per wave, the cluster says why it cannot start', () => {
    const plan = standInPlan(2);
    expect(planWaves(plan, budget({ total: 0 })).map((w) => w.sources.length)).to.deep.equal([1, 1]);
  });

  it('sources probing from inside running pods cost no pod', () => {
    const plan = standInPlan(4);
    plan.sources = plan.sources.map((s, i) => (i < 2 ? { ...s, inPod: `pod-${i}` } : s));
    const waves = planWaves(plan, budget({ total: 3 }));
    expect(waves.map((w) => w.sources.length)).to.deep.equal([4]);
  });

  it('a wave\'s plan holds its sources, their probes and canaries, its servers; control probes only in the first', () => {
    const plan = standInPlan(4);
    plan.controlHosts = [{ host: '192.0.2.1', port: 80, l4: 'tcp', aliveKey: 'k' }];
    plan.canaries = Object.fromEntries(plan.sources.map((s) => [s.key, []]));
    const waves = planWaves(plan, budget({ total: 3 }));
    const parts = waves.map((w, i) => wavePlan(plan, w, i === 0));
    expect(parts.map((p) => p.sources.length)).to.deep.equal([2, 2]);
    expect(parts.map((p) => p.probes.every((x) => p.sources.some((s) => s.key === x.sourceKey)))).to.deep.equal([true, true]);
    expect(parts.flatMap((p) => p.probes).map((p) => p.id).sort()).to.deep.equal(plan.probes.map((p) => p.id).sort());
    expect(parts.map((p) => Object.keys(p.canaries!).length)).to.deep.equal([2, 2]);
    expect(parts.map((p) => p.controlHosts.length)).to.deep.equal([1, 0]);
    expect(parts.map((p) => p.cases)).to.deep.equal([plan.cases, plan.cases]);
  });

  it('--dry-run shows the waves, what each starts, the budget and what could not be read', () => {
    const plan = standInPlan(8);
    const b = budget({ total: 40, perNamespace: { q: 5 }, why: ['ResourceQuota q/limits: pods 0 of 5 used, room for 5'], unread: ['free pod slots on the nodes unknown: forbidden'] });
    expect(describeWaves(plan, { waves: planWaves(plan, b), budget: b })).to.deep.equal([
      '2 waves: room for 40 pods at once, 5 in q',
      '  budget: free pod slots on the nodes unknown: forbidden',
      '  budget: ResourceQuota q/limits: pods 0 of 5 used, room for 5',
      '  wave 1: 4 probe pods, 1 echo server',
      '  wave 2: 4 probe pods, 1 echo server',
    ]);
    expect(describeWaves(plan, { waves: planWaves(plan, budget({})), budget: budget({}) })).to.deep.equal(['one wave: no limit known']);
  });

  it('the progress line says which wave', () => {
    expect(formatProgress({ phase: 'probing', done: 3, total: 9, podsStarting: 2, wave: { index: 2, count: 5 } })).to.equal('wave 2/5 · probing 3/9 · 2 pods starting');
    expect(formatProgress({ phase: 'probing', done: 3, total: 9 })).to.equal('probing 3/9');
  });
});
