// What a watch says on stderr round after round: the same note (no prediction, the nodes' pod slots
// unknown, ...) once, not every round; a different one when it changes.
import { expect } from 'chai';
import { sayingOnce } from '../../../src/cli/commands/watch-rounds.ts';
import type { CliIO } from '../../../src/cli/main.ts';

describe('sayingOnce', () => {
  it('passes each stderr text through once, however many rounds repeat it; stdout untouched', () => {
    const err: string[] = [];
    const out: string[] = [];
    const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
    const said = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const once = sayingOnce(io, said);
      once.stderr('netprobe: no prediction: cannot list namespaces (cluster-wide)\n');
      if (round === 2) once.stderr('netprobe: no prediction: cannot list pods in shop\n');
      once.stdout('{"event":"round"}\n');
    }
    expect(err).to.deep.equal(['netprobe: no prediction: cannot list namespaces (cluster-wide)\n', 'netprobe: no prediction: cannot list pods in shop\n']);
    expect(out).to.have.length(3);
  });
});
