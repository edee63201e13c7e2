// scripts/release --dry-run, the release workflow's own script: it builds everything, pushes the probe,
// echo and runner image indexes to a registry it starts on 127.0.0.1 and reads them back, and only prints the outward steps.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from 'node:net';
import { exec, REPO } from './support.ts';

/** Whether a TCP connection to 127.0.0.1:port is refused (nothing listens there any more). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => { socket.destroy(); resolve(false); });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string; config: { imageRegistry: string } };

describe('scripts/release --dry-run', function () {
  it('pushes the probe, echo and runner (netprobe) indexes to a loopback registry, reads both platforms back, and pushes nothing outward', async function () {
    this.timeout(900_000);
    const env = { ...process.env };
    delete env.GITHUB_REF_NAME;
    const ran = await exec(path.join(REPO, 'scripts/release'), ['--dry-run'], { cwd: REPO, env, timeoutMs: 880_000 });
    expect(ran.code, ran.stderr.slice(-4000)).to.equal(0);
    const path_ = pkg.config.imageRegistry.replace(/^[^/]+\//, '');
    for (const [archive, image] of [['probe', 'probe'], ['echo', 'echo'], ['runner', 'netprobe']]) {
      expect(ran.stderr).to.match(new RegExp(`read back 127\\.0\\.0\\.1:\\d+/${path_}/${image}:${pkg.version}: image index, linux/amd64 linux/arm64`));
      expect(ran.stdout).to.include(`dry run, would run: `);
      expect(ran.stdout).to.match(new RegExp(`would run: \\S+/crane push out/release/oci/${archive} ${pkg.config.imageRegistry}/${image}:${pkg.version}$`, 'm'));
    }
    expect(ran.stdout).to.match(/^dry run, would run: npm publish /m);
    const port = Number(/read back 127\.0\.0\.1:(\d+)\//.exec(ran.stderr)?.[1]);
    expect(await refused(port), `the registry on 127.0.0.1:${port} was stopped`).to.equal(true);
  });
});
