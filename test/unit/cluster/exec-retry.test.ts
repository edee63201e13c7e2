// An exec whose WebSocket handshake fails for a passing reason (429, 5xx) never started its command:
// it is tried again within the exec's timeout; an answer such as 403 is not. Fake API server on loopback.
import { expect } from 'chai';
import { execInPod, handshakeRetryable } from '../../../src/cluster/exec.ts';
import { startFakeApi, status, type FakeApi, type Reply } from './fake-api.ts';

const EXEC = '/api/v1/namespaces/shop/pods/p/exec';

describe('exec handshake retries (fake API server)', function () {
  this.timeout(20_000);
  let api: FakeApi;
  before(async () => (api = await startFakeApi()));
  after(() => api.close());

  function replies(...list: Reply[]): void {
    let i = 0;
    api.handle(() => list[Math.min(i++, list.length - 1)]!);
  }

  it('a 429, then a 503, then an answer: three handshakes, the last answer is reported', async () => {
    replies(status(429, 'TooManyRequests'), status(503, 'ServiceUnavailable'), status(403, 'Forbidden'));
    const r = await execInPod(api.kc, 'shop', 'p', 'probe', ['true'], 10_000);
    expect(api.requests).to.deep.equal([`GET ${EXEC}`, `GET ${EXEC}`, `GET ${EXEC}`]);
    expect(r.exitCode).to.equal(-1);
    expect(r.error).to.match(/exec failed: .*403/);
  });

  it('a 403 is an answer: one handshake', async () => {
    replies(status(403, 'Forbidden'));
    const r = await execInPod(api.kc, 'shop', 'p', 'probe', ['true'], 10_000);
    expect(api.requests).to.have.length(1);
    expect(r.error).to.match(/403/);
  });

  it('retries stop within the exec\'s timeout', async () => {
    replies(status(503, 'ServiceUnavailable'));
    const t0 = Date.now();
    const r = await execInPod(api.kc, 'shop', 'p', 'probe', ['true'], 1500);
    expect(Date.now() - t0).to.be.below(3000);
    expect(api.requests.length).to.be.within(2, 8);
    expect(r.exitCode).to.equal(-1);
  });

  it('reads the status from the WebSocket library\'s error', () => {
    expect(handshakeRetryable({ message: 'Unexpected server response: 429' })).to.equal(true);
    expect(handshakeRetryable({ message: 'Unexpected server response: 502' })).to.equal(true);
    expect(handshakeRetryable({ message: 'Unexpected server response: 401' })).to.equal(false);
    expect(handshakeRetryable({ message: 'connect ECONNREFUSED 127.0.0.1:1', error: { code: 'ECONNREFUSED' } })).to.equal(true);
  });
});
