// `netprobe report diff OLD.json NEW.json [-o FORMAT[=FILE]]...`: what changed between two saved reports,
// in any format, with an exit code for "got worse" so CI can gate on a change, not on a state.
import type { Env, StreamInfo, TextStyle } from '../../report/color.ts';
import { diffReports, diffVerdict } from '../../report/diff.ts';
import { renderDiff } from '../../report/diff-render.ts';
import { FORMATS, type Format } from '../../report/render.ts';
import { redactDeep } from '../../util/redact.ts';
import { EXIT } from '../../verdict/model.ts';
import { loadSavedReport, parseReportArgs, writeReportOutputs, type ReportIO } from './report-input.ts';

export const DIFF_USAGE = `netprobe report diff [-o FORMAT[=FILE]]... OLD.json NEW.json

Compares two reports saved with \`netprobe run -o json=FILE\` (either may be - for stdin), matching
results by name: new leaks and new broken paths, paths that lost their proof (now inconclusive), fixed
paths, other status changes, evidence that changed with the status kept (timeout -> refused), and
expectations added or removed.

Flags:
  -o, --output FORMAT[=FILE]  FORMAT: ${FORMATS.join(', ')}. Without FILE (or with
                              FILE -) it goes to stdout. Repeatable, as for netprobe report.
  -h, --help                  show this help

Exit codes: 0 not worse, 1 worse (a new leak or broken path, an added expectation that fails
included), 2 an unreadable report, an output that could not be written, or bad usage, 3 no new
failure but a path that was proven is now inconclusive.
`;

export async function runReportDiff(args: string[], io: ReportIO, stdoutInfo: StreamInfo, env: Env, cwd: string): Promise<number> {
  const parsed = parseReportArgs('report diff', DIFF_USAGE, args, io, cwd, (paths) => {
    if (paths.length !== 2) return `expected OLD.json and NEW.json, got ${paths.length} paths`;
    return paths[0] === '-' && paths[1] === '-' ? 'only one report can come from stdin' : undefined;
  });
  if (typeof parsed === 'number') return parsed;
  const [oldFile = '-', newFile = '-'] = parsed.positionals;
  const older = await loadSavedReport('report diff', oldFile, io, cwd);
  const newer = older && (await loadSavedReport('report diff', newFile, io, cwd));
  if (older === undefined || newer === undefined) return EXIT.usage;
  const render = (format: Format, style: TextStyle): string => renderDiff(format, older, newer, style.unicode);
  if (!(await writeReportOutputs('report diff', parsed.specs, render, io, stdoutInfo, env, cwd))) return EXIT.usage;
  const verdict = diffVerdict(diffReports(redactDeep(older), redactDeep(newer)));
  return verdict === 'worse' ? EXIT.failed : verdict === 'undecided' ? EXIT.undecided : EXIT.ok;
}
