// Every command's help: each flag listed once (matrix listed -o twice: its own and the shared probe flags').
import { expect } from 'chai';
import { COMMANDS } from '../../../src/cli/main.ts';

/**
 * The long flags each `Flags:` section of a help text lists at the start of its lines (`  -o, --output`,
 * `  --keep WHAT`); a help with subcommands (report, report diff) has a section each.
 */
function listedFlags(usage: string): string[][] {
  return usage.split(/^Flags:$/m).slice(1).map((section) =>
    section.split(/\n\s*\n/)[0]!.split('\n').flatMap((line) => {
      const m = /^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)/.exec(line);
      return m ? [m[1]!] : [];
    }),
  );
}

describe('command help', () => {
  for (const name of Object.keys(COMMANDS)) {
    it(`${name}: lists each flag once`, async () => {
      const { command } = await COMMANDS[name]!();
      const sections = listedFlags(command.usage);
      expect(sections.length, 'the help has a Flags: section').to.be.greaterThan(0);
      for (const flags of sections) expect(flags.filter((f, i) => flags.indexOf(f) !== i)).to.deep.equal([]);
    });
  }
});
