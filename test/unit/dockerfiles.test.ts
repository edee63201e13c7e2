// Dockerfile.probe, Dockerfile.echo and Dockerfile.runner yield the same files as the Docker-less
// builder: each is read against probes/images/files.txt, the list the builder assembles its layers from. Docker is not needed.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptPackages, builderEntries, comparable, dockerfileEntries, entrypoint, parseDockerfile } from './support/dockerfile.ts';

const IMAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../probes/images');
const filesTxt = readFileSync(path.join(IMAGES, 'files.txt'), 'utf8');

/** The entrypoint the builder's recipe gives the image (the JSON array in probe.sh / echo.sh). */
function recipeEntrypoint(image: string): string[] {
  const recipe = readFileSync(path.join(IMAGES, `${image}.sh`), 'utf8');
  const json = /agent_config '(\[[^']*\])'/.exec(recipe)?.[1];
  if (!json) throw new Error(`${image}.sh: no agent_config entrypoint`);
  return JSON.parse(json) as string[];
}

for (const image of ['probe', 'echo', 'runner']) {
  describe(`Dockerfile.${image} against the builder's file list`, () => {
    const stages = parseDockerfile(readFileSync(path.join(IMAGES, `Dockerfile.${image}`), 'utf8'));
    const builder = builderEntries(filesTxt, image);

    it('yields exactly the entries files.txt lists for the image', () => {
      expect(comparable(dockerfileEntries(stages))).to.deep.equal(comparable(builder));
    });

    it('installs every Debian package the builder takes files from', () => {
      const debs = stages.find((s) => s.name === 'debs');
      expect(debs, 'a stage named debs').to.not.equal(undefined);
      const wanted = builder.filter((e) => e.kind === 'deb' || e.kind === 'exe' || e.kind === 'ca-bundle').map((e) => e.arg);
      expect(aptPackages(debs!)).to.include.members(wanted);
    });

    it('has the recipe\'s entrypoint', () => {
      expect(entrypoint(stages)).to.deep.equal(recipeEntrypoint(image));
    });
  });
}

describe('Dockerfile reader', () => {
  const probe = readFileSync(path.join(IMAGES, 'Dockerfile.probe'), 'utf8');

  it('notices a file the Dockerfile leaves out', () => {
    const without = probe.replace(/^COPY probes\/images\/rootfs\/etc\/group .*$/m, '');
    const got = comparable(dockerfileEntries(parseDockerfile(without)));
    expect(got).to.not.include('/etc/group file rootfs/etc/group');
    expect(got).to.have.length(comparable(builderEntries(filesTxt, 'probe')).length - 1);
  });

  it('notices a program left out of the closure step and a package left out of apt-get install', () => {
    const stages = parseDockerfile(probe.replace(' /bin/busybox /usr/bin/curl', ' /bin/busybox').replace(' ca-certificates curl ', ' ca-certificates '));
    expect(comparable(dockerfileEntries(stages))).to.not.include('/usr/bin/curl deb *');
    expect(aptPackages(stages.find((s) => s.name === 'debs')!)).to.not.include('curl');
  });

  it('notices an executable the runner leaves out of the closure step', () => {
    const runner = readFileSync(path.join(IMAGES, 'Dockerfile.runner'), 'utf8');
    const got = comparable(dockerfileEntries(parseDockerfile(runner.replace('/parts/exe /usr/local/bin/netprobe', '/parts/exe'))));
    expect(got).to.not.include('/usr/local/bin/netprobe exe *');
    expect(comparable(dockerfileEntries(parseDockerfile(runner)))).to.include('/usr/local/bin/netprobe exe *');
  });

  it('rejects a COPY from a source it does not know', () => {
    const odd = probe.replace('COPY --from=debs /parts/dir/ /', 'COPY --from=debs /usr/share/zoneinfo /usr/share/zoneinfo');
    expect(() => dockerfileEntries(parseDockerfile(odd))).to.throw(/does not know/);
  });
});
