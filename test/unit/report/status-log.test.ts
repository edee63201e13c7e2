// The watch's JSON log: one line per change of status, the first round saying only what is not a pass.
import { expect } from 'chai';
import { changeLine, roundCompletedLine, roundFailedLine, statusChanges } from '../../../src/report/status-log.ts';
import { summarize, type Result, type Status } from '../../../src/verdict/model.ts';

function result(name: string, status: Status, detail = ''): Result {
  return {
    name, expectation: name, suite: 'shop', location: 'shop.yaml:3:7', source: 'web/frontend', destination: 'data/db', port: '5432', protocol: 'TCP',
    expect: 'deny', observed: status === 'leak' ? 'allowed' : 'denied', outcome: 'connected', status, durationMs: 30, attempts: 1, detail, tags: [],
  };
}

const AT = new Date('2026-12-06T08:00:00Z');

describe('statusChanges', () => {
  it('on the first round, says each result that is not a pass', () => {
    const changes = statusChanges(undefined, [result('a', 'pass'), result('b', 'leak', 'connected to 10.0.0.5:5432\nmore'), result('c', 'inconclusive', 'target not shown alive')]);
    expect(changes.map((c) => [c.name, c.before, c.after])).to.deep.equal([['b', null, 'leak'], ['c', null, 'inconclusive']]);
    expect(changes[0]!.detail).to.equal('connected to 10.0.0.5:5432');
  });

  it('later, says what changed status, what is new and what is gone, and nothing else', () => {
    const before = [result('same', 'pass'), result('opens', 'pass'), result('goes', 'leak')];
    const after = [result('same', 'pass'), result('opens', 'leak'), result('new', 'broken')];
    const changes = statusChanges(before, after);
    expect(changes.map((c) => [c.name, c.before, c.after])).to.deep.equal([['opens', 'pass', 'leak'], ['new', null, 'broken'], ['goes', 'leak', null]]);
    expect(changes[2]).to.not.have.property('observed');
    expect(statusChanges(after, after)).to.deep.equal([]);
  });
});

describe('log lines', () => {
  it('each is one line of JSON with its event', () => {
    const [c] = statusChanges([result('a', 'pass')], [result('a', 'leak', 'connected "x"\nand more')]);
    const line = changeLine(c!, AT);
    expect(line).to.not.contain('\n');
    expect(JSON.parse(line)).to.deep.equal({
      time: '2026-12-06T08:00:00.000Z', event: 'status', name: 'a', suite: 'shop', expectation: 'a', from: 'web/frontend', to: 'data/db', port: '5432', protocol: 'TCP',
      before: 'pass', after: 'leak', observed: 'allowed', detail: 'connected "x"',
    });
    expect(JSON.parse(roundCompletedLine(3, summarize([result('a', 'leak')]), 12.345, AT))).to.deep.equal({ time: '2026-12-06T08:00:00.000Z', event: 'round', round: 3, durationSeconds: 12.3, total: 1, pass: 0, leak: 1, broken: 0, inconclusive: 0 });
    expect(JSON.parse(roundFailedLine(4, 'cannot reach the cluster', AT))).to.deep.equal({ time: '2026-12-06T08:00:00.000Z', event: 'round-failed', round: 4, error: 'cannot reach the cluster' });
  });

  it('keeps secrets out: URL query values and userinfo are redacted, as in every report', () => {
    const url = 'https://ops:pw123@api.example.com/health?token=SECRET42';
    const [c] = statusChanges(undefined, [{ ...result(`reach ${url}`, 'broken', `GET ${url} answered HTTP 500`), destination: url }]);
    const line = changeLine(c!, AT);
    expect(line).to.not.contain('SECRET42').and.not.contain('pw123');
    expect(JSON.parse(line)).to.include({ to: 'https://<redacted>@api.example.com/health?token=<redacted>', detail: 'GET https://<redacted>@api.example.com/health?token=<redacted> answered HTTP 500' });
    expect(roundFailedLine(2, `cannot reach ${url}`, AT)).to.not.contain('SECRET42');
  });
});
