// Which images netprobe's pods run. Each netprobe version has its own probe and echo images, published
// under the registry in package.json (config.imageRegistry); a mirror replaces that registry for both;
// an explicit image replaces one. Precedence: flag, then environment, then the default.
import pkg from '../../package.json' with { type: 'json' };
import { VERSION } from '../util/version.ts';
import { UsageError } from './main.ts';

export const DEFAULT_IMAGE_REGISTRY: string = pkg.config.imageRegistry;

export interface ImageValues {
  'image-registry'?: string | undefined;
  'probe-image'?: string | undefined;
  'echo-image'?: string | undefined;
}

export const IMAGE_OPTIONS = {
  'image-registry': { type: 'string' },
  'probe-image': { type: 'string' },
  'echo-image': { type: 'string' },
} as const;

export const IMAGE_FLAGS_USAGE = `  --image-registry HOST/PATH pull netprobe's images from this mirror (default $NETPROBE_IMAGE_REGISTRY,
                             else ${DEFAULT_IMAGE_REGISTRY}): HOST/PATH/probe:${VERSION}, HOST/PATH/echo:${VERSION}
  --probe-image IMAGE        probe image (default $PROBE_IMAGE, else from the registry)
  --echo-image IMAGE         echo server image (default $ECHO_IMAGE, else from the registry)`;

// A registry host (with an optional port) and an optional path: no scheme, tag or digest.
const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** The probe and echo images for these flags and environment; throws UsageError on a bad registry. */
export function chooseImages(values: ImageValues, env: NodeJS.ProcessEnv = process.env): { probeImage: string; echoImage: string } {
  const flag = values['image-registry'];
  const given = flag ?? env.NETPROBE_IMAGE_REGISTRY;
  const registry = (given ?? DEFAULT_IMAGE_REGISTRY).replace(/\/+$/, '');
  if (!REGISTRY.test(registry)) {
    const source = flag !== undefined ? `--image-registry ${flag}` : `NETPROBE_IMAGE_REGISTRY=${given}`;
    throw new UsageError(`${source}: expected HOST[:PORT][/PATH], like registry.example.com/mirror`);
  }
  return {
    probeImage: values['probe-image'] || env.PROBE_IMAGE || `${registry}/probe:${VERSION}`,
    echoImage: values['echo-image'] || env.ECHO_IMAGE || `${registry}/echo:${VERSION}`,
  };
}
