// isolation --metrics: only with --watch, and the address checked before the cluster is touched.
import { expect } from 'chai';
import { main } from '../../../src/cli/main.ts';

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(args, { stdout: () => undefined, stderr: (t) => (stderr += t) });
  return { code, stderr };
}

describe('netprobe isolation --metrics', () => {
  it('needs --watch', async () => {
    const r = await cli(['isolation', 'payments', '--metrics', ':9090']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('--metrics needs --watch');
  });

  it('a bad address is a usage error before any cluster is read', async () => {
    const r = await cli(['isolation', 'payments', '--watch', '10', '--metrics', 'nine', '--kubeconfig', '/nonexistent']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--metrics nine: expected \[HOST\]:PORT/);
    expect(r.stderr).to.not.contain('does not exist');
  });
});
