// isolation and matrix hand the run the snapshot their probe set was built from; the run plans from it
// only when it holds every namespace the cases read, and reads the cluster itself otherwise.
import { expect } from 'chai';
import { snapshotCovers } from '../../../src/run/run-suites.ts';
import { snapshot } from '../support/world.ts';

describe('run: a snapshot read by the caller', () => {
  it('is used when it holds every namespace the cases read', () => {
    expect(snapshotCovers(snapshot(['app', 'peer', 'kube-system']), ['app', 'kube-system'])).to.equal(true);
    expect(snapshotCovers(snapshot(['app']), [])).to.equal(true);
  });

  it('is not when one is missing (cluster DNS\'s, or one that does not exist: the run reads and says so)', () => {
    expect(snapshotCovers(snapshot(['app', 'peer']), ['app', 'peer', 'kube-system'])).to.equal(false);
  });
});
