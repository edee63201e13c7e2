// bin/netprobe.js on a Node older than 22.19 (the system Node here is 20): one line saying which Node
// is needed and how to get it, exit 2, instead of a stack trace about ".ts" files.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const OLD_NODE = '/usr/bin/node';

function run(node: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(node, args, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

describe('bin/netprobe.js on an old Node', () => {
  it('prints one line naming the Node it needs and exits 2', async function () {
    if (!existsSync(OLD_NODE)) return this.skip();
    const version = (await run(OLD_NODE, ['--version'])).stdout.trim();
    const [major, minor] = version.slice(1).split('.').map(Number) as [number, number];
    if (major > 22 || (major === 22 && minor >= 19)) return this.skip(); // the system Node is new enough
    const r = await run(OLD_NODE, [path.resolve('bin/netprobe.js'), 'validate', 'suites/demo']);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal(`netprobe: needs Node.js 22.19 or newer, this is ${version}; install Node 24 (https://nodejs.org) or use the standalone executable, which needs no Node\n`);
  });
});
