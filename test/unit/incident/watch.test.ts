import { expect } from 'chai';
import { formatChange, pathChanges, roundLine } from '../../../src/incident/watch.ts';
import type { Result } from '../../../src/verdict/model.ts';

const r = (name: string, status: Result['status'], observed: Result['observed']): Result => ({
  name, expectation: name, suite: 's', location: 'x:1:1', source: 'a', destination: 'b', port: '80', protocol: 'TCP',
  expect: 'deny', observed, outcome: observed === 'allowed' ? 'connected' : 'timeout', status, durationMs: 1, attempts: 1, detail: `${name} detail`, tags: [],
});

describe('incident: watch', () => {
  it('reports paths that open, close, become unknown, appear and disappear; nothing when unchanged', () => {
    const before = [r('a', 'pass', 'denied'), r('b', 'leak', 'allowed'), r('c', 'pass', 'denied'), r('d', 'pass', 'denied'), r('e', 'pass', 'denied')];
    const after = [r('a', 'leak', 'allowed'), r('b', 'pass', 'denied'), r('c', 'inconclusive', 'unknown'), r('d', 'pass', 'denied'), r('f', 'pass', 'denied')];
    const changes = pathChanges(before, after);
    expect(changes.map((c) => `${c.kind} ${c.name}`)).to.deep.equal(['opened a', 'closed b', 'unknown c', 'new f', 'gone e']);
    const at = new Date('2026-11-23T15:42:07Z');
    expect(formatChange(changes[0]!, at)).to.equal('15:42:07 OPENED  a (leak: a detail)');
    expect(formatChange(changes[4]!, at)).to.equal('15:42:07 GONE    e (was denied)');
    expect(pathChanges(after, after)).to.deep.equal([]);
  });

  it('sums a round up in one line', () => {
    const at = new Date('2026-11-23T15:42:07Z');
    expect(roundLine([r('a', 'pass', 'denied')], at, 2)).to.equal('15:42:07 round 2: holds (1 paths)');
    expect(roundLine([r('a', 'leak', 'allowed'), r('b', 'pass', 'denied')], at, 3)).to.equal('15:42:07 round 3: DOES NOT HOLD: 1 leak, 0 kept paths blocked (2 paths)');
    expect(roundLine([r('a', 'inconclusive', 'unknown')], at, 4)).to.contain('UNDECIDED: 1 inconclusive');
  });
});
