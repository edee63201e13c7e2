// SIGHUP (a closed terminal, a CI runner hanging up) is handled like Ctrl-C and SIGTERM: the run is
// aborted so that cleanup runs, instead of the process dying with its pods left behind.
import { expect } from 'chai';
import { abortOnSignals } from '../../../src/cli/signals.ts';

describe('abortOnSignals', () => {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} aborts the run and says which signal`, () => {
      const seen: string[] = [];
      const s = abortOnSignals((name) => seen.push(name));
      try {
        process.emit(sig, sig);
        expect(s.signal.aborted).to.equal(true);
        expect(seen).to.deep.equal([sig]);
        expect(String((s.signal.reason as Error).message)).to.equal(`interrupted by ${sig}`);
      } finally {
        s.dispose();
      }
      expect(process.listenerCount(sig)).to.equal(0);
    });
  }
});
