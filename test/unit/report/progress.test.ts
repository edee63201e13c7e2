import { expect } from 'chai';
import { createProgress, formatProgress, type ProgressStream } from '../../../src/report/progress.ts';

function stream(isTTY: boolean, columns = 80): ProgressStream & { text: string } {
  return {
    isTTY,
    columns,
    text: '',
    write(chunk: string): boolean {
      this.text += chunk;
      return true;
    },
  };
}

describe('progress line', () => {
  it('formats phase, counts and starting pods', () => {
    expect(formatProgress({ phase: 'probing', done: 12, total: 40, podsStarting: 3 })).to.equal('probing 12/40 · 3 pods starting');
    expect(formatProgress({ phase: 'starting pods', podsStarting: 1 })).to.equal('starting pods · 1 pod starting');
    expect(formatProgress({ phase: 'settling' })).to.equal('settling');
    expect(formatProgress({ phase: 'probing', total: 5 })).to.equal('probing 0/5');
  });

  describe('on a terminal', () => {
    it('redraws one line in place and clears it at the end', () => {
      let t = 0;
      const out = stream(true);
      const p = createProgress({ stream: out, now: () => t, redrawMs: 0 });
      p.update({ phase: 'probing', done: 1, total: 2 });
      t = 10;
      p.update({ phase: 'probing', done: 2, total: 2 });
      p.stop();
      expect(out.text).to.equal('\r\u001b[2Kprobing 1/2\r\u001b[2Kprobing 2/2\r\u001b[2K');
      expect(out.text).to.not.include('\n');
    });

    it('redraws at most every redrawMs, and keeps the latest for later', async () => {
      let t = 0;
      const out = stream(true);
      const p = createProgress({ stream: out, now: () => t, redrawMs: 20 });
      p.update({ phase: 'probing', done: 1, total: 9 });
      for (let i = 2; i <= 9; i += 1) p.update({ phase: 'probing', done: i, total: 9 });
      expect(out.text).to.equal('\r\u001b[2Kprobing 1/9');
      t = 25;
      await new Promise((done) => setTimeout(done, 40));
      expect(out.text).to.match(/probing 9\/9$/);
      p.stop();
    });

    it('fits the line to the terminal width', () => {
      const out = stream(true, 20);
      const p = createProgress({ stream: out, redrawMs: 0 });
      p.update({ phase: 'resolving selectors in many namespaces', done: 1, total: 2 });
      expect(out.text).to.equal('\r\u001b[2Kresolving selector…'); // 19 columns: the last one stays free
      p.stop();
    });

    it('prints a log line above the progress line', () => {
      const out = stream(true);
      const p = createProgress({ stream: out, redrawMs: 0 });
      p.update({ phase: 'probing', done: 1, total: 2 });
      p.log('warning: slow pod');
      expect(out.text).to.equal('\r\u001b[2Kprobing 1/2\r\u001b[2Kwarning: slow pod\nprobing 1/2');
      p.stop();
    });
  });

  describe('in a log (not a terminal)', () => {
    it('prints plain lines at phase changes and at most every interval, nothing else', () => {
      let t = 0;
      const out = stream(false);
      const p = createProgress({ stream: out, now: () => t, intervalMs: 10_000 });
      p.update({ phase: 'starting pods', podsStarting: 3 });
      p.update({ phase: 'starting pods', podsStarting: 2 });
      t = 2_000;
      p.update({ phase: 'probing', done: 0, total: 40 });
      for (let i = 1; i <= 12; i += 1) {
        t += 500;
        p.update({ phase: 'probing', done: i, total: 40 });
      }
      t = 12_500;
      p.update({ phase: 'probing', done: 30, total: 40 });
      t = 13_000;
      p.update({ phase: 'probing', done: 40, total: 40 });
      p.stop();
      expect(out.text).to.equal(['starting pods · 3 pods starting', 'probing 0/40', 'probing 30/40', 'probing 40/40', ''].join('\n'));
      expect(out.text).to.not.match(/[\r\u001b]/);
    });

    it('says nothing more at stop when the last state was printed', () => {
      const out = stream(false);
      const p = createProgress({ stream: out });
      p.update({ phase: 'cleaning up' });
      p.stop();
      p.update({ phase: 'after stop' });
      expect(out.text).to.equal('cleaning up\n');
    });
  });

  it('draws nothing when disabled', () => {
    const out = stream(true);
    const p = createProgress({ stream: out, enabled: false });
    p.update({ phase: 'probing' });
    p.log('x');
    p.stop();
    expect(out.text).to.equal('');
  });
});
