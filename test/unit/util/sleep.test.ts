// The abortable sleep: a deadline already past resolves at once, without Node's TimeoutNegativeWarning
// (seen in a run's stderr when a source had nothing to settle).
import { expect } from 'chai';
import { sleep } from '../../../src/util/sleep.ts';

describe('sleep', () => {
  it('a past deadline resolves at once and warns nothing', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      await sleep(-1_796_002_074_651);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).to.deep.equal([]);
  });
});
