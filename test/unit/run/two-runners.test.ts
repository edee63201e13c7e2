// One plan, two runners: every case of the policy corpus is planned as `run` plans it, answered by the
// simulated runner (the policy engine as the network) and judged as `run` judges; `predict` judges the
// same case from the same policies. Where both decide, they agree; where `run` cannot decide, it says
// why (never the opposite verdict).
import { expect } from 'chai';
import type { LivePod } from '../../../src/model/cluster.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import { predictCase } from '../../../src/policy/predict.ts';
import { simulateProbes } from '../../../src/run/simulated-runner.ts';
import { judge } from '../../../src/verdict/judge.ts';
import { predictionResult } from '../../../src/verdict/predicted.ts';
import type { Result } from '../../../src/verdict/model.ts';
import { corpus, type CorpusCase } from '../policy/corpus.ts';
import { namespaces, pods } from '../policy/world.ts';
import { oneCase } from '../support/world.ts';

const live: LivePod[] = pods.map((p) => ({ ...p, serviceAccount: 'default', hostNetwork: p.hostNetwork === true, phase: 'Running', ready: true, readinessPorts: [] }));
const snapshot = {
  namespaces: namespaces.map((n) => ({ ...n })),
  pods: live,
  services: [],
  workloads: [],
  serviceAccounts: namespaces.map((n) => `${n.name}/default`),
};

function peer(ref: string): string {
  if (!ref.includes('/')) return `{host: "${ref}"}`;
  const [ns, name] = ref.split('/');
  return `{namespace: ${ns}, podSelector: {matchLabels: {pod: ${name}}}}`;
}

function caseOf(c: CorpusCase) {
  const port = typeof c.port === 'number' ? c.port : c.port;
  return oneCase(`{name: c, from: ${peer(c.from)}, to: ${peer(c.to)}, port: ${port}, protocol: ${c.protocol ?? 'TCP'}, expect: ${c.expect}}`);
}

function bothRunners(c: CorpusCase): { run: Result; predict: Result } {
  const engine = new PolicyEngine({ policies: c.policies, namespaces, pods });
  const kase = caseOf(c);
  const plan = buildPlan([kase], snapshot);
  const [run] = judge({ plan, observations: simulateProbes(plan, engine) });
  const predict = predictionResult(kase, predictCase(engine, { pods, services: [] }, kase));
  return { run: run!, predict };
}

// The corpus cases a suite can state and a probe pod can stand for: engine options are not suite settings;
// a source is a pod (the suite language has no address sources); the simulated probe pod has no address
// of its own, so an ipBlock that selects pod addresses cannot match it; and a pod to itself is judged by
// both as another pod of its labels (test below), where the corpus asks the engine about self traffic.
const stated = corpus.filter((c) => c.options === undefined && c.from.includes('/') && c.group !== 'self' && c.name !== 'ipBlock matches pod IPs');

describe('two runners for one plan: run (simulated) and predict agree on the policy corpus', () => {
  it('covers most of the corpus, and run decides nearly all of it', () => {
    expect(stated.length).to.be.at.least(70);
    const undecided = stated.filter((c) => bothRunners(c).run.status === 'inconclusive').map((c) => `${c.group}: ${c.name}`);
    expect(undecided.length, undecided.join('\n')).to.be.at.most(Math.floor(stated.length / 10));
  });

  for (const c of stated) {
    it(`[${c.group}] ${c.name}: ${c.from} -> ${c.to} ${c.port}/${c.protocol ?? 'TCP'} ${c.expect}`, () => {
      const { run, predict } = bothRunners(c);
      expect(predict.status, `predict: ${predict.detail}`).to.equal('pass');
      if (run.status === 'inconclusive') {
        expect(run.decideBy, `run is inconclusive without saying what would decide it: ${run.detail}`).to.be.a('string');
        return;
      }
      expect(run.status, `run: ${run.detail}`).to.equal(predict.status);
    });
  }

  it('a pod to itself: both judge what another pod of its labels meets (a single pod of a workload included)', () => {
    const self = corpus.find((c) => c.group === 'self' && c.options === undefined)!;
    const { run, predict } = bothRunners(self);
    expect(predict.status).to.equal('broken');
    expect(predict.detail).to.contain('a pod always reaches itself');
    expect(run.status).to.equal('broken');
  });
});
