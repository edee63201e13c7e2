// Reading probes/images/Dockerfile.* into the entries of probes/images/files.txt ("DEST KIND ARG"), so a
// test can compare what Docker would build with what the builder builds. Only the forms those
// Dockerfiles use are understood; anything else in the final stage is an error, not silently skipped.

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  image: string;
  body: Instruction[];
}

/** files.txt's entry form. For `deb`, ARG is the package (files.txt) or `*` (a Dockerfile cannot say). */
export interface Entry {
  dest: string;
  kind: string;
  arg: string;
}

/** Instructions with continuation lines joined and comments dropped, grouped by FROM. */
export function parseDockerfile(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const words = rest.filter((w) => !w.startsWith('--'));
      stages.push({ image: words[0] ?? '', name: words[2] ?? String(stages.length), body: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.body.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** The packages an apt-get install in the stage installs. */
export function aptPackages(stage: Stage): string[] {
  const run = stage.body.filter((i) => i.op === 'RUN').map((i) => i.args).join(' ');
  const install = /apt-get install((?:\s+[a-z0-9][a-z0-9.+-]*|\s+-\S+)+)/.exec(run)?.[1] ?? '';
  return install.split(/\s+/).filter((w) => w !== '' && !w.startsWith('-'));
}

function runText(stage: Stage): string {
  return stage.body.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
}

/** The entries one `COPY --from=STAGE SRC DEST` of the final stage yields. */
function copyFromStage(stage: Stage, src: string, dest: string): Entry[] {
  const run = runText(stage);
  if (/go build\b/.test(run) && new RegExp(`-o ${src}(\\s|$)`).test(run)) return [{ dest, kind: 'agent', arg: '' }];
  if (src === '/parts/deb/') {
    const paths = /lib-elf\.sh \/ \/parts\/deb((?:\s+\/\S+)+)/.exec(run)?.[1]?.trim().split(/\s+/) ?? [];
    return paths.map((p) => ({ dest: p, kind: 'deb', arg: '*' }));
  }
  if (src === '/parts/exe/') {
    // netprobe's executable, copied in from dist/ for the target architecture, then its closure
    const exes = [...run.matchAll(/lib-elf\.sh \/ \/parts\/exe((?:\s+\/\S+)+)/g)].flatMap((m) => m[1]!.trim().split(/\s+/));
    const copied = stage.body.filter((i) => i.op === 'COPY' && /^dist\/netprobe-linux-\$\{TARGETARCH\}\s/.test(i.args)).map((i) => i.args.split(/\s+/)[1]);
    return exes.filter((p) => copied.includes(p)).map((p) => ({ dest: p, kind: 'exe', arg: '*' }));
  }
  if (src === '/parts/applets/') {
    const link = /busybox --list-full[\s\S]*ln -s (\S+) "\/parts\/applets\/\$applet"/.exec(run)?.[1];
    return link ? [{ dest: '/', kind: 'applets', arg: link }] : [];
  }
  if (src === '/parts/dir/') {
    return [...run.matchAll(/install -d -m (\d+) \/parts\/dir(\/\S+)/g)].map((m) => ({ dest: m[2]!, kind: 'dir', arg: m[1]! }));
  }
  if (src === '/etc/ssl/certs/ca-certificates.crt' && aptPackages(stage).includes('ca-certificates')) {
    return [{ dest, kind: 'ca-bundle', arg: 'ca-certificates' }];
  }
  throw new Error(`COPY --from=${stage.name} ${src}: a source this reader does not know`);
}

/** What the final stage holds, as files.txt entries. */
export function dockerfileEntries(stages: Stage[]): Entry[] {
  const final = stages[stages.length - 1];
  if (!final) throw new Error('no FROM');
  const entries: Entry[] = [];
  for (const { op, args } of final.body) {
    if (op !== 'COPY' && op !== 'ADD') continue;
    const words = args.split(/\s+/);
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const [src, dest] = words.filter((w) => !w.startsWith('--'));
    if (!src || !dest) throw new Error(`${op} ${args}: want one source and a destination`);
    if (from === undefined) {
      const local = /^probes\/images\/(.+)$/.exec(src)?.[1];
      if (!local) throw new Error(`COPY ${src}: not under probes/images`);
      entries.push({ dest, kind: 'file', arg: local });
      continue;
    }
    const stage = stages.find((s) => s.name === from);
    if (!stage) throw new Error(`COPY --from=${from}: no such stage`);
    entries.push(...copyFromStage(stage, src, dest));
  }
  return entries;
}

/** The final stage's ENTRYPOINT, parsed from its JSON form. */
export function entrypoint(stages: Stage[]): string[] | undefined {
  const ep = stages[stages.length - 1]?.body.filter((i) => i.op === 'ENTRYPOINT').pop();
  return ep ? (JSON.parse(ep.args) as string[]) : undefined;
}

/** files.txt's entries for an image (its layers in order); deb and exe ARGs are the packages. */
export function builderEntries(filesTxt: string, image: string): Entry[] {
  const rows = filesTxt.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.trim().split(/\s+/));
  const layers = rows.find((r) => r[0] === 'image' && r[1] === image)?.slice(2);
  if (!layers) throw new Error(`files.txt has no image ${image}`);
  return layers.flatMap((layer) => rows.filter((r) => r[0] === layer).map((r) => ({ dest: r[1]!, kind: r[2]!, arg: r[3] ?? '' })));
}

/** "DEST KIND ARG" lines, sorted, deb and exe packages blanked out (compared apart). */
export function comparable(entries: Entry[]): string[] {
  return entries.map((e) => `${e.dest} ${e.kind} ${e.kind === 'deb' || e.kind === 'exe' ? '*' : e.arg}`.trim()).sort();
}
