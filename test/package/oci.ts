// Reading the image archives probes/build.sh writes (an OCI layout in a tar) and the ELF files in them,
// with tar and readelf: independent of the shell code that wrote them.
import { expect } from 'chai';
import { lstatSync, openSync, readFileSync, readSync, closeSync, readdirSync, readlinkSync, existsSync } from 'node:fs';
import path from 'node:path';
import { exec, REPO, tempDir } from './support.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

export interface Layout {
  dir: string;
  /** index.json's one entry: the image index, named by its annotations. */
  top: Descriptor;
  /** The image index's manifests, one per platform. */
  manifests: Descriptor[];
}

/**
 * The folder holding probe.tar and echo.tar: the local cluster's image cache when `cluster up` has built
 * it for this checkout (scripts/test), else a build of those two alone into out/test-images.
 */
export async function builtImages(): Promise<string> {
  const key = await exec('bash', ['-c', '. scripts/cluster/lib.sh && . scripts/cluster/images.sh && echo "$CACHE_DIR/images/$(images_key)"'], { cwd: REPO });
  const cached = key.stdout.trim();
  if (key.code === 0 && existsSync(path.join(cached, 'images.env'))) return cached;
  const own = path.join(REPO, 'out/test-images');
  const build = await exec(path.join(REPO, 'probes/build.sh'), ['--only', 'probe,echo', own], { cwd: REPO, timeoutMs: 900_000 });
  expect(build.code, build.stderr).to.equal(0);
  return own;
}

export function blob<T>(dir: string, digest: string): T {
  return JSON.parse(readFileSync(path.join(dir, 'blobs/sha256', digest.replace(/^sha256:/, '')), 'utf8')) as T;
}

/** Unpacks an archive into a new folder and reads its index.json and the image index it names. */
export async function openArchive(tar: string): Promise<Layout> {
  const dir = tempDir('oci');
  const untar = await exec('tar', ['-xf', tar, '-C', dir]);
  expect(untar.code, untar.stderr).to.equal(0);
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  expect(index.manifests, 'index.json names one image').to.have.length(1);
  const top = index.manifests[0]!;
  expect(top.mediaType).to.equal('application/vnd.oci.image.index.v1+json');
  const manifests = blob<{ manifests: Descriptor[] }>(dir, top.digest).manifests;
  return { dir, top, manifests };
}

/** The rootfs of one platform's image: its layers unpacked in order into a new folder. */
export async function unpackImage(layout: Layout, manifest: Descriptor): Promise<{ root: string; config: { architecture: string; os: string } }> {
  const image = blob<{ config: Descriptor; layers: Descriptor[] }>(layout.dir, manifest.digest);
  const root = tempDir(`rootfs-${manifest.platform?.architecture ?? 'unknown'}`);
  for (const layer of image.layers) {
    const untar = await exec('tar', ['-xzf', path.join(layout.dir, 'blobs/sha256', layer.digest.slice('sha256:'.length)), '-C', root]);
    expect(untar.code, untar.stderr).to.equal(0);
  }
  return { root, config: blob(layout.dir, image.config.digest) };
}

/** Every regular file under root that starts with the ELF magic, as absolute paths inside the image. */
export function elfFiles(root: string, dir = '/'): string[] {
  const found: string[] = [];
  for (const name of readdirSync(path.join(root, dir))) {
    const inImage = path.posix.join(dir, name);
    const stat = lstatSync(path.join(root, inImage));
    if (stat.isDirectory()) found.push(...elfFiles(root, inImage));
    else if (stat.isFile() && stat.size >= 4 && hasElfMagic(path.join(root, inImage))) found.push(inImage);
  }
  return found;
}

function hasElfMagic(file: string): boolean {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(4);
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
}

export interface ElfInfo {
  machine: string;
  interpreter?: string;
  needed: string[];
}

/** What readelf says of one file: its machine, PT_INTERP and NEEDED entries. */
export async function readElf(file: string): Promise<ElfInfo> {
  const ran = await exec('readelf', ['-hldW', file]);
  expect(ran.code, ran.stderr).to.equal(0);
  const machine = /^\s*Machine:\s*(.+)$/m.exec(ran.stdout)?.[1]?.trim() ?? '';
  const interpreter = /Requesting program interpreter: ([^\]]+)\]/.exec(ran.stdout)?.[1];
  const needed = [...ran.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  return { machine, interpreter, needed };
}

/**
 * Resolves a path inside root as the image's own loader would see it: symlinks (absolute ones relative to
 * root) followed; undefined when nothing regular is there.
 */
export function resolveInRoot(root: string, inImage: string): string | undefined {
  let current = inImage;
  for (let hops = 0; hops < 16; hops++) {
    const onDisk = path.join(root, current);
    if (!existsSync(onDisk) && !isLink(onDisk)) return undefined;
    if (!isLink(onDisk)) return lstatSync(onDisk).isFile() ? current : undefined;
    const target = readlinkSync(onDisk);
    current = target.startsWith('/') ? target : path.posix.join(path.posix.dirname(current), target);
  }
  return undefined;
}

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
