// What a watch says on stderr round after round: the same note (no prediction, the nodes' pod slots
// unknown, ...) once, not every round; a different one when it changes.
import { expect } from 'chai';
import { sayingOnce } from '../../../src/cli/commands/watch-rounds.ts';
import { noteKey } from '../../../src/cli/incident-shared.ts';
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

  it('a note that differs only in its numbers is the same note (free pod slots change between rounds)', () => {
    const err: string[] = [];
    const said = new Set<string>();
    for (const free of [99, 100, 99]) sayingOnce({ stdout: () => {}, stderr: (t) => err.push(t) }, said).stderr(`netprobe: 2 waves: ${free} free pod slots on 1 of 1 nodes\n`);
    expect(err).to.deep.equal(['netprobe: 2 waves: 99 free pod slots on 1 of 1 nodes\n']);
    expect(noteKey('3 waves: 99 free')).to.not.equal(noteKey('3 pods: 99 free'));
    expect(noteKey('cannot list pods in team-1')).to.not.equal(noteKey('cannot list pods in team-2'));
  });
});
