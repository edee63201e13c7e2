// The netprobe command line: a table of subcommands, one module each under ./commands/.
// Adding a command is one line in COMMANDS; its module exports `command` (see Command below).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from '../verdict/model.ts';
import { suggest } from '../suite/diagnostics.ts';
import { VERSION } from '../util/version.ts';

/** Where a command writes. Tests pass collectors; the binary passes process streams. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface Command {
  name: string;
  /** One line for `netprobe --help`. */
  summary: string;
  /** The full usage text for `netprobe help NAME` (first line: `netprobe NAME ...`). */
  usage: string;
  /** Returns the exit code (EXIT in src/verdict/model.ts). Throw UsageError for bad arguments. */
  run(args: string[], io: CliIO): Promise<number> | number;
}

type Loader = () => Promise<{ command: Command }>;

/** The subcommand table, in the order `--help` lists it. One line per command. */
export const COMMANDS: Readonly<Record<string, Loader>> = {
  validate: () => import('./commands/validate.ts'),
  run: () => import('./commands/run.ts'),
  clean: () => import('./commands/clean.ts'),
  rbac: () => import('./commands/rbac.ts'),
  report: () => import('./commands/report.ts'),
  predict: () => import('./commands/predict.ts'),
  explain: () => import('./commands/explain.ts'),
  doctor: () => import('./commands/doctor.ts'),
  isolation: () => import('./commands/isolation.ts'),
  generate: () => import('./commands/generate.ts'),
  matrix: () => import('./commands/matrix.ts'),
  impact: () => import('./commands/impact.ts'),
  watch: () => import('./commands/watch.ts'),
};

/** Bad arguments or flags: main prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type ParsedArgs<T extends NonNullable<ParseArgsConfig['options']>> = ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>;

/** parseArgs with positionals allowed and its errors turned into UsageErrors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T): ParsedArgs<T> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '') : String(e);
    throw new UsageError(`${message}${flagHint(message, options)}`);
  }
}

/** `; did you mean --namespaces?` for an unknown flag close to one the command has. */
function flagHint(message: string, options: NonNullable<ParseArgsConfig['options']>): string {
  const unknown = /^Unknown option '(--[^'=]+)/.exec(message)?.[1];
  if (unknown === undefined) return '';
  const close = suggest(unknown, Object.keys(options).map((name) => `--${name}`));
  return close === undefined ? '' : `; did you mean ${close}?`;
}

const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

async function loadCommand(name: string): Promise<Command | undefined> {
  const loader = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return loader ? (await loader()).command : undefined;
}

async function overview(): Promise<string> {
  const commands = await Promise.all(Object.keys(COMMANDS).map(loadCommand));
  const width = Math.max(...commands.map((c) => c?.name.length ?? 0));
  const lines = commands.filter((c): c is Command => c !== undefined).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'netprobe: declare who may talk to whom in a Kubernetes cluster, and prove it with real traffic.',
    '',
    'Usage: netprobe COMMAND [FLAGS] [ARGS]   (also: kubectl netprobe ...)',
    '',
    'Commands:',
    ...lines,
    '',
    'Flags:',
    '  -h, --help     show help (`netprobe help COMMAND` for one command)',
    '  -v, --version  print the version',
    '',
    'Exit codes: 0 ok, 1 a leak or broken path, 2 invalid input or usage, 3 undecided.',
    '',
  ].join('\n');
}

function closestCommand(name: string): string | undefined {
  const names = Object.keys(COMMANDS);
  return suggest(name, names) ?? names.find((n) => n.startsWith(name));
}

/** Runs netprobe with argv (without node and script). Returns the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined) {
      io.stderr(await overview());
      return EXIT.usage;
    }
    if (first === '-h' || first === '--help') {
      io.stdout(await overview());
      return EXIT.ok;
    }
    if (first === '-v' || first === '--version' || first === 'version') {
      io.stdout(`netprobe ${VERSION}\n`);
      return EXIT.ok;
    }
    if (first === 'help') {
      if (rest[0] === undefined) {
        io.stdout(await overview());
        return EXIT.ok;
      }
      const cmd = await loadCommand(rest[0]);
      if (!cmd) return unknownCommand(io, rest[0]);
      io.stdout(withNewline(cmd.usage));
      return EXIT.ok;
    }
    if (first.startsWith('-')) {
      io.stderr(`netprobe: unknown flag ${first}; expected a command first (see netprobe --help)\n`);
      return EXIT.usage;
    }
    const cmd = await loadCommand(first);
    if (!cmd) return unknownCommand(io, first);
    const flags = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (flags.includes('-h') || flags.includes('--help')) {
      io.stdout(withNewline(cmd.usage));
      return EXIT.ok;
    }
    try {
      return await cmd.run(rest, io);
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr(`netprobe ${cmd.name}: ${e.message}\n\n${withNewline(cmd.usage)}`);
        return EXIT.usage;
      }
      throw e;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`netprobe: internal error: ${message.split('\n')[0]}\n`);
    if (process.env.NETPROBE_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return EXIT.undecided;
  }
}

function unknownCommand(io: CliIO, name: string): number {
  const guess = closestCommand(name);
  const hint = guess !== undefined ? `; did you mean \`${guess}\`?` : `; expected one of: ${Object.keys(COMMANDS).join(', ')}`;
  io.stderr(`netprobe: unknown command \`${name}\`${hint} (see netprobe --help)\n`);
  return EXIT.usage;
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}
