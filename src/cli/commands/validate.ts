// `netprobe validate PATH...`: load and check suites without a cluster.
import type { Command, CliIO } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { EXIT } from '../../verdict/model.ts';
import { caseLimitDiagnostics, DEFAULT_MAX_CASES, type Diagnostic, expandSuites, formatDiagnostic, selectSuites } from '../../suite/index.ts';
import { loadSuitesAndPolicies } from '../../policy/validate-files.ts';
import { formatFinding, LINTS, type LintCode, type LintFinding } from '../../policy/lints.ts';
import { suggest } from '../../suite/diagnostics.ts';
import { LIMIT_OPTIONS, maxCasesFrom } from '../limit-flags.ts';
import { ghData, ghProperty } from '../../report/github.ts';

const FORMATS = ['text', 'json', 'github'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `netprobe validate [--only NAME|TAG] [--list] [--format text|json|github] [--max-cases N] PATH...

Loads every suite under PATH (files, or folders searched for *.yaml and *.yml) and checks it
without touching a cluster. Prints one line per problem as file:line:col: message, or a count.
NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy manifests under PATH are checked
as the API server checks them (unknown fields, enum case, CIDRs, port and endPort rules); other
Kubernetes objects (Namespaces, Pods, Services, workloads) are accepted as the state they apply to.

Policies get lint warnings too (docs/policy-checks.md#lints): the AND/OR selector trap, rules
policyTypes ignores, a policy selecting no pod, egress isolation without DNS, ipBlocks covering pod or
Service addresses, undeclared named ports, shadowed rules, CIDRs with host bits set.

Flags:
  --lint-errors     treat lint warnings as errors (exit 2)
  --ignore-lint CODE  leave out a lint (NPL001 or and-or-trap; comma-separated, repeatable)
  --only NAME|TAG   check only expectations with this name or tag (comma-separated, repeatable,
                    globs * and ?, prefix name: or tag: to be explicit); unmatched values are errors
  --list            print every case (one per source x destination x port) after the count
  --format FORMAT   text (default); json (one object on stdout); github (workflow annotations)
  --max-cases N     refuse suites that expand into more cases (default ${DEFAULT_MAX_CASES.toLocaleString('en-US')})
  -h, --help        show this help

Exit codes: 0 valid (lint warnings allowed), 2 problems found (or lint findings with --lint-errors) or bad usage.
`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;


function printDiagnostics(io: CliIO, format: Format, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (format === 'github') io.stdout(`::error file=${ghProperty(d.file)},line=${d.line},col=${d.col},title=netprobe validate::${ghData(d.message)}\n`);
    else io.stdout(`${formatDiagnostic(d)}\n`);
  }
}

interface Counts {
  valid: boolean;
  files: number;
  suites: number;
  expectations: number;
  cases: number;
  /** NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy objects checked. */
  policies: number;
  diagnostics: Diagnostic[];
  /** Lint findings on the policies (docs/policy-checks.md#lints): warnings unless --lint-errors. */
  warnings: LintFinding[];
}

function printLints(io: CliIO, format: Format, lints: readonly LintFinding[]): void {
  for (const f of lints) {
    if (format === 'github') io.stdout(`::warning file=${ghProperty(f.file)},line=${f.line},col=${f.col},title=netprobe ${f.code} ${LINTS[f.code]}::${ghData(f.message)}\n`);
    else io.stdout(`${formatFinding(f)}\n`);
  }
}

function lintAsError(f: LintFinding): Diagnostic {
  return { file: f.file, line: f.line, col: f.col, message: `${f.code} (${LINTS[f.code]}): ${f.message}` };
}

/** --ignore-lint values: codes (NPL001) or names (and-or-trap), comma-separated. */
function lintCodesFrom(values: readonly string[]): LintCode[] {
  const codes = Object.keys(LINTS) as LintCode[];
  return values.flatMap((v) => v.split(',')).map((v) => {
    const code = codes.find((c) => c === v.toUpperCase() || LINTS[c] === v);
    if (code !== undefined) return code;
    const close = suggest(v, [...codes, ...Object.values(LINTS)]);
    throw new UsageError(`--ignore-lint ${v}: no such lint${close !== undefined ? `; did you mean ${close}?` : `; expected one of ${codes.join(', ')}`}`);
  });
}

function reportProblems(io: CliIO, format: Format, counts: Counts): number {
  if (format === 'json') io.stdout(`${JSON.stringify(counts, null, 2)}\n`);
  else printDiagnostics(io, format, counts.diagnostics);
  const files = new Set(counts.diagnostics.map((d) => d.file)).size;
  io.stderr(`netprobe validate: ${plural(counts.diagnostics.length, 'problem')} in ${plural(files, 'file')}\n`);
  return EXIT.usage;
}

export const command: Command = {
  name: 'validate',
  summary: 'check suite files and report every problem (no cluster needed)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      only: { type: 'string', multiple: true },
      list: { type: 'boolean' },
      format: { type: 'string', default: 'text' },
      'lint-errors': { type: 'boolean' },
      'ignore-lint': { type: 'string', multiple: true },
      ...LIMIT_OPTIONS,
    });
    const maxCases = maxCasesFrom(values);
    const format = values.format as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format ${values.format}: expected one of ${FORMATS.join(', ')}`);
    if (positionals.length === 0) throw new UsageError('no PATH given; expected one or more suite files or folders');
    const loaded = await loadSuitesAndPolicies(positionals, { ignore: lintCodesFrom(values['ignore-lint'] ?? []) });
    const counts: Counts = { valid: false, files: loaded.files.length, suites: 0, expectations: 0, cases: 0, policies: loaded.policies, diagnostics: loaded.diagnostics, warnings: loaded.lints };
    if (loaded.diagnostics.length > 0) return reportProblems(io, format, counts);
    if (values['lint-errors'] === true && loaded.lints.length > 0) return reportProblems(io, format, { ...counts, diagnostics: loaded.lints.map(lintAsError), warnings: [] });
    if (format !== 'json') printLints(io, format, loaded.lints);
    const { suites, unmatched } = selectSuites(loaded.suites, values.only ?? []);
    if (unmatched.length > 0) {
      io.stderr(`netprobe validate: --only ${unmatched.join(', ')} matched no expectation name or tag\n`);
      return EXIT.usage;
    }
    const overLimit = caseLimitDiagnostics(suites, maxCases);
    if (overLimit.length > 0) return reportProblems(io, format, { ...counts, diagnostics: overLimit });
    const cases = expandSuites(suites);
    Object.assign(counts, { valid: true, suites: suites.length, expectations: suites.reduce((n, s) => n + s.expectations.length, 0), cases: cases.length });
    if (format === 'json') {
      const list = values.list ? { cases: cases.map((c) => ({ suite: c.expectation.suite, id: c.id })) } : {};
      io.stdout(`${JSON.stringify({ ...counts, ...list }, null, 2)}\n`);
      return EXIT.ok;
    }
    const policies = counts.policies > 0 ? `, ${counts.policies} polic${counts.policies === 1 ? 'y' : 'ies'}` : '';
    io.stdout(`OK: ${plural(counts.suites, 'suite')}, ${plural(counts.expectations, 'expectation')}, ${plural(counts.cases, 'case')}${policies} (${plural(counts.files, 'file')})\n`);
    if (values.list) for (const c of cases) io.stdout(`  ${c.expectation.suite}: ${c.id}\n`);
    return EXIT.ok;
  },
};
