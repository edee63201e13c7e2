// The pods' deadline and the exec timeout follow the suite's worst case (timeouts x attempts x waves),
// not a fixed 600 s: a run against a fake API server records the pods it creates; the arithmetic is
// checked on its own below.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { probeSettings } from '../../../src/cli/probe-flags.ts';
import { runCases } from '../../../src/run/run-suites.ts';
import { AGENT_CONCURRENCY, batchWorstMs, chunks, DEADLINE_MARGIN_MS, EXEC_MARGIN_MS, execTimeoutMs, probeWorstMs, runDeadlineSeconds } from '../../../src/probe/timing.ts';
import type { PlannedProbe } from '../../../src/plan/types.ts';
import { startFakeApi, type FakeApi, type Reply } from '../cluster/fake-api.ts';
import { casesOf } from '../support/world.ts';

/** A cluster that grants everything, holds nothing, and records the pods created (which never start). */
function emptyCluster(created: V1Pod[]): (req: { method: string; path: string; body: unknown }) => Reply {
  return ({ method, path, body }) => {
    if (method === 'POST' && path.endsWith('/selfsubjectaccessreviews')) return { status: 201, body: { ...(body as object), status: { allowed: true } } };
    if (method === 'POST' && path.endsWith('/selfsubjectrulesreviews')) return { status: 201, body: { status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], incomplete: false } } };
    if (method === 'POST' && path.endsWith('/pods')) created.push(body as V1Pod);
    if (method === 'POST' || method === 'PATCH') return { status: 201, body: { ...(body as { metadata?: object }), metadata: { ...(body as { metadata?: object }).metadata, uid: 'u-1' } } };
    if (method === 'GET' && path === '/api/v1/namespaces') return { status: 200, body: { items: [{ metadata: { name: 'shop' } }] } };
    // A run looks up each namespace it names (a get a Role in it can allow).
    if (method === 'GET' && path === '/api/v1/namespaces/shop') return { status: 200, body: { metadata: { name: 'shop' } } };
    if (method === 'GET' && path.endsWith('/pods')) return { status: 200, body: { items: created } };
    if (method === 'GET' && path.endsWith('/serviceaccounts')) return { status: 200, body: { items: [{ metadata: { name: 'default', namespace: 'shop' } }] } };
    if (method === 'GET') return { status: 200, body: { items: [] } };
    return { status: 200, body: {} };
  };
}

const suite = (timeoutSeconds: number, attempts: number) =>
  casesOf(`
  defaults: {namespace: shop, timeoutSeconds: ${timeoutSeconds}, attempts: ${attempts}}
  expectations:
    - from: {podSelector: {matchLabels: {app: web}}, synthetic: true}
      to: {podSelector: {matchLabels: {app: db}}, synthetic: true}
      port: 5432
      expect: deny
`);

describe('pod deadline follows the suite (fake API server)', function () {
  this.timeout(20_000);
  let api: FakeApi;
  before(async () => (api = await startFakeApi()));
  after(() => api.close());

  async function createdPods(timeoutSeconds: number, attempts: number): Promise<V1Pod[]> {
    const created: V1Pod[] = [];
    api.handle(emptyCluster(created));
    const settings = { ...probeSettings({ 'start-timeout': '1', settle: '0', 'probe-image': 'x/probe:1' }).settings, plan: {} };
    await runCases({ kc: api.kc, context: 'fake', server: 'fake' }, suite(timeoutSeconds, attempts), settings, new AbortController().signal, 'r1');
    expect(created.map((p) => p.metadata?.name).sort()).to.deep.equal(['netprobe-r1-e0', 'netprobe-r1-s0']);
    return created;
  }

  it('a suite whose probes may take 40 minutes gets pods that live that long (it was 600 s)', async () => {
    const pods = await createdPods(120, 20);
    const worst = 120 * 20 + 0.25 * 19;
    for (const p of pods) expect(p.spec?.activeDeadlineSeconds, p.metadata?.name).to.be.at.least(worst + 1 + 60);
    expect(pods[0]!.spec?.activeDeadlineSeconds).to.equal(pods[1]!.spec?.activeDeadlineSeconds);
  });

  it('a quick suite gets pods that end soon after its worst case', async () => {
    const pods = await createdPods(2, 2);
    // start 1 s + settle 0 + one batch (4.25 s + exec margin) x (1/16 + 1) + margin
    const expected = Math.ceil((1000 + (4250 + EXEC_MARGIN_MS) * (1 / 16 + 1) + DEADLINE_MARGIN_MS) / 1000);
    for (const p of pods) expect(p.spec?.activeDeadlineSeconds).to.equal(expected);
    expect(expected).to.be.below(600);
  });
});

describe('worst-case timing (pure)', () => {
  const probe = (sourceKey: string, timeoutMs = 2000, attempts = 2) => ({ sourceKey, timeoutMs, attempts }) as PlannedProbe;

  it('one probe: every attempt times out, with the agent\'s pauses between them, bounded as the agent bounds them', () => {
    expect(probeWorstMs({ timeoutMs: 2000, attempts: 2 })).to.equal(4250);
    expect(probeWorstMs({ timeoutMs: 1_000_000, attempts: 99 })).to.equal(120_000 * 20 + 250 * 19);
  });

  it('a batch over the agent\'s concurrency runs in waves of the longest probe', () => {
    const batch = Array.from({ length: AGENT_CONCURRENCY * 2 + 1 }, () => ({ timeoutMs: 2000, attempts: 1 }));
    expect(batchWorstMs(batch)).to.equal(3 * 2000);
    expect(batchWorstMs(batch.slice(0, AGENT_CONCURRENCY))).to.equal(2000);
    expect(execTimeoutMs(batch)).to.equal(6000 + EXEC_MARGIN_MS);
  });

  it('a source over the batch limit runs several batches, one after another: its time adds up', () => {
    const one = Array.from({ length: 1000 }, () => probe('a'));
    const batches = chunks(one);
    expect(batches.map((b) => b.length)).to.deep.equal([300, 300, 300, 100]);
    const sourceMs = batches.reduce((s, b) => s + execTimeoutMs(b), 0);
    const opts = { concurrency: 16, startTimeoutMs: 120_000, settleMs: 3000 };
    expect(runDeadlineSeconds({ probes: one }, opts)).to.equal(Math.ceil((120_000 + 3000 + sourceMs / 16 + sourceMs + DEADLINE_MARGIN_MS) / 1000));
  });

  it('sources share the exec slots: many sources take longer than one', () => {
    const opts = { concurrency: 2, startTimeoutMs: 0, settleMs: 0 };
    const few = runDeadlineSeconds({ probes: [probe('a'), probe('b')] }, opts);
    const many = runDeadlineSeconds({ probes: Array.from({ length: 20 }, (_, i) => probe(`s${i}`)) }, opts);
    expect(many).to.be.above(few);
  });
});
