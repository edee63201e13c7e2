// netprobe doctor's judgement: polling with a fake clock, and what the checks add up to.
import { expect } from 'chai';
import { decide, pollUntil, type Clock, type DoctorFacts, type ProbeState } from '../../../src/doctor/decide.ts';

function fakeClock(): { clock: Clock; tick(ms: number): void } {
  let t = 0;
  return { clock: { now: () => t, sleep: async (ms) => void (t += ms) }, tick: (ms) => void (t += ms) };
}

/** A probe that answers from a script, each answer taking `ms` of fake time. */
function scripted(states: ProbeState[], tick: (ms: number) => void, ms = 100): () => Promise<ProbeState> {
  let i = 0;
  return async () => {
    tick(ms);
    return states[Math.min(i++, states.length - 1)]!;
  };
}

const base: DoctorFacts = { context: 'c', server: 'https://x', version: 'v1.34.4', missing: [], deadlineSeconds: 30, namespace: 'netprobe-doctor-1', cleaned: true };

describe('doctor: polling a probe until it changes', () => {
  it('reports the time of the first of the confirming probes', async () => {
    const { clock, tick } = fakeClock();
    const r = await pollUntil(scripted(['open', 'open', 'blocked', 'blocked'], tick), 'blocked', { deadlineMs: 10_000, intervalMs: 200 }, clock);
    // probes start at 0, 300, 600: the first blocked one starts at 600 ms
    expect(r).to.deep.equal({ afterMs: 600, probes: 4, last: 'blocked' });
  });

  it('needs the change confirmed: one blocked probe among open ones is a blip', async () => {
    const { clock, tick } = fakeClock();
    const r = await pollUntil(scripted(['blocked', 'open', 'blocked', 'blocked'], tick), 'blocked', { deadlineMs: 10_000, intervalMs: 200 }, clock);
    expect(r.afterMs).to.equal(600);
  });

  it('gives up at the deadline and says what it last saw', async () => {
    const { clock, tick } = fakeClock();
    const r = await pollUntil(scripted(['open'], tick), 'blocked', { deadlineMs: 2000, intervalMs: 200 }, clock);
    expect(r.afterMs).to.equal(undefined);
    expect(r.last).to.equal('open');
    expect(r.probes).to.be.within(6, 8);
  });

  it('stops when aborted', async () => {
    const { clock, tick } = fakeClock();
    let n = 0;
    const r = await pollUntil(scripted(['open'], tick), 'blocked', { deadlineMs: 60_000, intervalMs: 200, aborted: () => n++ >= 3 }, clock);
    expect(r.probes).to.equal(3);
    expect(r.afterMs).to.equal(undefined);
  });
});

describe('doctor: the verdict', () => {
  it('exits 0 when both directions are enforced, with the delays', () => {
    const { code, lines } = decide({ ...base, ingress: { enforced: true, seconds: 0.42 }, egress: { enforced: true, seconds: 1.05 } });
    expect(code).to.equal(0);
    expect(lines).to.include('enforces NetworkPolicy: ingress yes (0.4 s), egress yes (1.1 s)');
    expect(lines).to.include('cleanup: namespace netprobe-doctor-1 deleted');
  });

  it('exits 1 when one direction is not enforced', () => {
    const { code, lines } = decide({ ...base, ingress: { enforced: false }, egress: { enforced: true, seconds: 0.3 } });
    expect(code).to.equal(1);
    expect(lines).to.include('enforces NetworkPolicy: ingress no (still open after 30 s), egress yes (0.3 s)');
  });

  it('exits 1 when neither is enforced', () => {
    expect(decide({ ...base, ingress: { enforced: false }, egress: { enforced: false } }).code).to.equal(1);
  });

  it('exits 3 when the API is unreachable, and says nothing about enforcement', () => {
    const f: DoctorFacts = { context: 'c', server: 'https://x', missing: [], deadlineSeconds: 30, unreachable: 'connection refused' };
    const { code, lines } = decide(f);
    expect(code).to.equal(3);
    expect(lines.join('\n')).to.contain('API: unreachable: connection refused').and.not.contain('enforces');
  });

  it('exits 3 when the canary could not run, listing the missing permissions', () => {
    const { code, lines } = decide({ ...base, missing: ['create namespaces (cluster-wide) (for doctor\'s canary)'], canaryProblem: 'not run: the canary needs create namespaces (cluster-wide)' });
    expect(code).to.equal(3);
    expect(lines).to.include('permissions: 1 missing');
    expect(lines.join('\n')).to.contain('canary: not run').and.contain('could not tell');
  });

  it('exits 3 when one direction is unknown and none is known unenforced', () => {
    const { code, lines } = decide({ ...base, ingress: { enforced: true, seconds: 0.1 }, egress: { note: 'probe error' } });
    expect(code).to.equal(3);
    expect(lines).to.include('enforces NetworkPolicy: ingress yes (0.1 s), egress unknown (probe error)');
  });

  it('names a namespace it could not delete', () => {
    const { lines } = decide({ ...base, cleaned: false, ingress: { enforced: true, seconds: 0 }, egress: { enforced: true, seconds: 0 } });
    expect(lines.join('\n')).to.contain('could not delete namespace netprobe-doctor-1; run `netprobe clean`');
  });
});
