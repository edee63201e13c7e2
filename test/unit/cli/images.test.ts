// Default images: netprobe names its own probe and echo images for its version, a mirror registry
// rewrites both, and the old flags and variables still override one image each.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { chooseImages, DEFAULT_IMAGE_REGISTRY } from '../../../src/cli/images.ts';
import { UsageError } from '../../../src/cli/main.ts';
import { probeSettings } from '../../../src/cli/probe-flags.ts';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; config: { imageRegistry: string } };
const V = pkg.version;

describe('default images', () => {
  it('names the images of this version under the registry in package.json when nothing is set', () => {
    expect(DEFAULT_IMAGE_REGISTRY).to.equal(pkg.config.imageRegistry);
    expect(chooseImages({}, {})).to.deep.equal({
      probeImage: `${pkg.config.imageRegistry}/probe:${V}`,
      echoImage: `${pkg.config.imageRegistry}/echo:${V}`,
    });
  });

  it('run, isolation and matrix settings need no image flag or variable', () => {
    const saved = { p: process.env.PROBE_IMAGE, e: process.env.ECHO_IMAGE };
    delete process.env.PROBE_IMAGE;
    delete process.env.ECHO_IMAGE;
    try {
      const { settings } = probeSettings({});
      expect(settings.probeImage).to.equal(`${DEFAULT_IMAGE_REGISTRY}/probe:${V}`);
      expect(settings.echoImage).to.equal(`${DEFAULT_IMAGE_REGISTRY}/echo:${V}`);
    } finally {
      if (saved.p !== undefined) process.env.PROBE_IMAGE = saved.p;
      if (saved.e !== undefined) process.env.ECHO_IMAGE = saved.e;
    }
  });

  it('--image-registry (or NETPROBE_IMAGE_REGISTRY) rewrites both references; the flag wins', () => {
    const env = { NETPROBE_IMAGE_REGISTRY: 'mirror.internal:5000/np/' };
    expect(chooseImages({}, env)).to.deep.equal({ probeImage: `mirror.internal:5000/np/probe:${V}`, echoImage: `mirror.internal:5000/np/echo:${V}` });
    expect(chooseImages({ 'image-registry': 'registry.example.com' }, env).probeImage).to.equal(`registry.example.com/probe:${V}`);
  });

  it('an explicit image (flag, then variable) overrides its own reference only', () => {
    const env = { PROBE_IMAGE: 'env/probe:1', ECHO_IMAGE: 'env/echo:1' };
    expect(chooseImages({}, env)).to.deep.equal({ probeImage: 'env/probe:1', echoImage: 'env/echo:1' });
    expect(chooseImages({ 'probe-image': 'flag/probe:2', 'image-registry': 'm.example/x' }, {})).to.deep.equal({ probeImage: 'flag/probe:2', echoImage: `m.example/x/echo:${V}` });
  });

  it('a registry with a scheme, a tag or spaces is a usage error', () => {
    for (const bad of ['https://registry.example.com', 'registry.example.com/np:1', 'a b', '']) {
      expect(() => chooseImages({ 'image-registry': bad }, {}), bad).to.throw(UsageError, /^--image-registry .*: expected HOST\[:PORT\]\[\/PATH\]/);
    }
    expect(() => chooseImages({}, { NETPROBE_IMAGE_REGISTRY: 'http://m' })).to.throw(UsageError, /^NETPROBE_IMAGE_REGISTRY=http:\/\/m: expected/);
  });
});
