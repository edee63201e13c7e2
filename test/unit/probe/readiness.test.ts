import { expect } from 'chai';
import { PodReadiness } from '../../../src/probe/readiness.ts';

describe('pod readiness tracking (per-pod start of probing)', () => {
  it('resolves waiters when a pod reaches its final state, and later callers at once', async () => {
    let clock = 1000;
    const r = new PodReadiness(() => clock);
    const waiting = r.when('ns/a');
    clock = 1500;
    r.record('ns/a', { ready: true, ip: '10.0.0.1' });
    expect(await waiting).to.deep.equal({ state: { ready: true, ip: '10.0.0.1' }, at: 1500 });
    expect(await r.when('ns/a')).to.deep.equal({ state: { ready: true, ip: '10.0.0.1' }, at: 1500 });
  });

  it('keeps the first final state of a pod', async () => {
    let clock = 0;
    const r = new PodReadiness(() => clock);
    r.record('ns/a', { ready: false, reason: 'ImagePullBackOff' });
    clock = 50;
    r.record('ns/a', { ready: false, reason: 'the run was interrupted' });
    expect(await r.when('ns/a')).to.deep.equal({ state: { ready: false, reason: 'ImagePullBackOff' }, at: 0 });
    expect(r.finalCount).to.equal(1);
    expect(r.readyCount).to.equal(0);
  });

  it('settles a source from the latest of its own pod and the servers it probes', () => {
    let clock = 0;
    const r = new PodReadiness(() => clock);
    clock = 100;
    r.record('ns/source', { ready: true, ip: '10.0.0.1' });
    clock = 900;
    r.record('ns/server', { ready: true, ip: '10.0.0.2' });
    clock = 400;
    r.record('ns/other', { ready: true, ip: '10.0.0.3' });
    expect(r.latest(['ns/source'])).to.equal(100);
    expect(r.latest(['ns/source', 'ns/server'])).to.equal(900);
    expect(r.readyCount).to.equal(3);
  });
});
