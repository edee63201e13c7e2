// `netprobe validate PATH...`: load and check suites without a cluster.
import type { Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { EXIT } from '../../verdict/model.ts';
import { expandSuites, formatDiagnostic, loadSuites, selectSuites } from '../../suite/index.ts';

const USAGE = `netprobe validate [--only NAME|TAG] [--list] PATH...

Loads every suite under PATH (files, or folders searched for *.yaml and *.yml) and checks it
without touching a cluster. Prints one line per problem as file:line:col: message, or a count.

Flags:
  --only NAME|TAG  check only expectations with this name or tag (comma-separated, repeatable,
                   globs * and ?, prefix name: or tag: to be explicit); unmatched values are errors
  --list           print every case (one per source x destination x port) after the count
  -h, --help       show this help

Exit codes: 0 valid, 2 problems found or bad usage.
`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const command: Command = {
  name: 'validate',
  summary: 'check suite files and report every problem (no cluster needed)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      only: { type: 'string', multiple: true },
      list: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('no PATH given; expected one or more suite files or folders');
    const loaded = await loadSuites(positionals);
    if (loaded.diagnostics.length > 0) {
      for (const d of loaded.diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
      const files = new Set(loaded.diagnostics.map((d) => d.file)).size;
      io.stderr(`netprobe validate: ${plural(loaded.diagnostics.length, 'problem')} in ${plural(files, 'file')}\n`);
      return EXIT.usage;
    }
    const { suites, unmatched } = selectSuites(loaded.suites, values.only ?? []);
    if (unmatched.length > 0) {
      io.stderr(`netprobe validate: --only ${unmatched.join(', ')} matched no expectation name or tag\n`);
      return EXIT.usage;
    }
    const expectations = suites.reduce((n, s) => n + s.expectations.length, 0);
    const cases = expandSuites(suites);
    io.stdout(`OK: ${plural(suites.length, 'suite')}, ${plural(expectations, 'expectation')}, ${plural(cases.length, 'case')} (${plural(loaded.files.length, 'file')})\n`);
    if (values.list) for (const c of cases) io.stdout(`  ${c.expectation.suite}: ${c.id}\n`);
    return EXIT.ok;
  },
};
