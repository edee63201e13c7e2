// Mocha's spec output, plus the closing line CI reads: "mocha: N passed, N failed, N skipped".
// SUMMARY_FILE, when set, also receives the counts as JSON so scripts/test can add runs together.
import fs from 'node:fs';
import Mocha from 'mocha';

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

export default class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      process.stdout.write(`mocha: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
      if (process.env.SUMMARY_FILE) {
        fs.writeFileSync(process.env.SUMMARY_FILE, JSON.stringify({ passes, failures, pending }));
      }
    });
  }
}
