// API retries against a fake API server on loopback: 429 (Retry-After honoured), 500/502/503/504 and
// broken connections are retried within a budget; other errors are not; a retried create that meets
// its own object (409 after a lost response) succeeded. Before retries, one 429 on the pod list made
// waitForPods throw and the run end with "internal error" and no report.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { apiClient, apiRequests } from '../../../src/cluster/api.ts';
import { createPods, waitForPods } from '../../../src/cluster/pods.ts';
import { backoffMs, isRetryable, retryAfterMs } from '../../../src/cluster/retry.ts';
import { podList, readyPod, startFakeApi, status, type FakeApi, type Reply } from './fake-api.ts';

const PODS = '/api/v1/namespaces/shop/pods';
const RUN = { 'netprobe.dev/run': 'r1' };

/** Replies in order, then the last one for ever. */
function sequence(...replies: Reply[]): () => Reply {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)]!;
}

describe('API retries (fake API server)', function () {
  this.timeout(20_000);
  let api: FakeApi;
  before(async () => (api = await startFakeApi()));
  after(() => api.close());

  it('one 429 on the pod list no longer ends the wait for pods: it is retried', async () => {
    const next = sequence({ ...status(429, 'TooManyRequests'), headers: { 'Retry-After': '0' } }, podList([readyPod('shop', 'p', RUN)]));
    api.handle(() => next());
    const states = await waitForPods(api.kc, 'r1', ['shop/p'], ['shop'], { deadlineMs: 5000, signal: new AbortController().signal });
    expect(states.get('shop/p')).to.deep.equal({ ready: true, ip: '10.0.0.5' });
    expect(api.requests).to.deep.equal([`GET ${PODS}`, `GET ${PODS}`]);
  });

  for (const code of [500, 502, 503, 504]) {
    it(`HTTP ${code} is retried and counted`, async () => {
      const next = sequence(status(code, 'ServerError'), podList([]));
      api.handle(() => next());
      const before = { ...apiRequests };
      const list = await apiClient(api.kc, k8s.CoreV1Api).listNamespacedPod({ namespace: 'shop' });
      expect(list.items).to.deep.equal([]);
      expect(apiRequests.count - before.count).to.equal(2);
      expect(apiRequests.retries - before.retries).to.equal(1);
    });
  }

  it('a connection reset is retried', async () => {
    const next = sequence('reset', 'reset', podList([]));
    api.handle(() => next());
    await apiClient(api.kc, k8s.CoreV1Api).listNamespacedPod({ namespace: 'shop' });
    expect(api.requests).to.have.length(3);
  });

  for (const [code, reason] of [[400, 'BadRequest'], [403, 'Forbidden'], [404, 'NotFound'], [422, 'Invalid']] as const) {
    it(`HTTP ${code} is an answer, not a passing failure: no retry`, async () => {
      api.handle(() => status(code, reason));
      const err = await apiClient(api.kc, k8s.CoreV1Api).listNamespacedPod({ namespace: 'shop' }).catch((e: unknown) => e);
      expect((err as { code?: number }).code).to.equal(code);
      expect(api.requests).to.have.length(1);
    });
  }

  it('Retry-After is honoured: the retry waits as long as the API server asked', async () => {
    const next = sequence({ ...status(429, 'TooManyRequests'), headers: { 'Retry-After': '1' } }, podList([]));
    api.handle(() => next());
    const t0 = Date.now();
    await apiClient(api.kc, k8s.CoreV1Api).listNamespacedPod({ namespace: 'shop' });
    expect(Date.now() - t0).to.be.at.least(950);
  });

  it('gives up once the budget is spent, with the API server\'s error', async () => {
    api.handle(() => status(503, 'ServiceUnavailable', 'etcd is down'));
    const err = await apiClient(api.kc, k8s.CoreV1Api, { budgetMs: 1500 }).listNamespacedPod({ namespace: 'shop' }).catch((e: unknown) => e);
    expect((err as { code?: number }).code).to.equal(503);
    expect(api.requests.length).to.be.within(2, 8);
  });

  it('a Retry-After longer than the budget is not waited for', async () => {
    api.handle(() => ({ ...status(429, 'TooManyRequests'), headers: { 'Retry-After': '60' } }));
    const t0 = Date.now();
    const err = await apiClient(api.kc, k8s.CoreV1Api, { budgetMs: 2000 }).listNamespacedPod({ namespace: 'shop' }).catch((e: unknown) => e);
    expect((err as { code?: number }).code).to.equal(429);
    expect(api.requests).to.have.length(1);
    expect(Date.now() - t0).to.be.below(2000);
  });

  it('an abort stops the retries', async () => {
    api.handle(() => status(503, 'ServiceUnavailable'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const err = await apiClient(api.kc, k8s.CoreV1Api, { signal: controller.signal }).listNamespacedPod({ namespace: 'shop' }).catch((e: unknown) => e);
    expect((err as { code?: number }).code).to.equal(503);
    expect(api.requests.length).to.be.below(5);
  });

  it('a create whose response was lost, retried, meets its own pod (409): created, not failed', async () => {
    let created = false;
    api.handle(({ method }) => {
      if (method !== 'POST') return status(405, 'MethodNotAllowed');
      if (!created) {
        created = true;
        return 'reset';
      }
      return status(409, 'AlreadyExists', 'pods "netprobe-r1-s0" already exists');
    });
    const pod: k8s.V1Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop', name: 'netprobe-r1-s0', labels: RUN }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const failures = await createPods(api.kc, [pod], 1);
    expect(failures.size).to.equal(0);
    expect(api.requests).to.deep.equal([`POST ${PODS}`, `POST ${PODS}`]);
  });

  it('a first-try 409 is a real conflict, not success', async () => {
    api.handle(() => status(409, 'AlreadyExists', 'pods "x" already exists'));
    const pod: k8s.V1Pod = { metadata: { namespace: 'shop', name: 'x' }, spec: { containers: [] } };
    const failures = await createPods(api.kc, [pod], 1);
    expect(failures.get('shop/x')?.reason).to.match(/HTTP 409/);
  });
});

describe('retry policy (pure)', () => {
  it('retries 429, 5xx gateways and broken connections only', () => {
    for (const code of [429, 500, 502, 503, 504]) expect(isRetryable({ code }), String(code)).to.equal(true);
    for (const code of [400, 401, 403, 404, 409, 410, 422, 501]) expect(isRetryable({ code }), String(code)).to.equal(false);
    for (const errno of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT']) expect(isRetryable(Object.assign(new TypeError('fetch failed'), { cause: { code: errno } }))).to.equal(true);
    expect(isRetryable(new Error('socket hang up'))).to.equal(true);
    expect(isRetryable(new Error('ENOTFOUND api.example'))).to.equal(false);
  });

  it('backs off exponentially with jitter, capped at 5 s', () => {
    expect(backoffMs(1, () => 0)).to.equal(100);
    expect(backoffMs(1, () => 1)).to.equal(200);
    expect(backoffMs(3, () => 1)).to.equal(800);
    expect(backoffMs(20, () => 1)).to.equal(5000);
    expect(backoffMs(20, () => 0)).to.equal(2500);
  });

  it('reads Retry-After in seconds, in any header case', () => {
    expect(retryAfterMs({ code: 429, headers: { 'retry-after': '2' } })).to.equal(2000);
    expect(retryAfterMs({ code: 429, headers: { 'Retry-After': '0' } })).to.equal(0);
    expect(retryAfterMs({ code: 429, headers: {} })).to.equal(undefined);
    expect(retryAfterMs({ code: 429 })).to.equal(undefined);
  });
});
