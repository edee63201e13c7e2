import { expect } from 'chai';
import { annotation, ghData, ghProperty, render, renderOutputs } from '../../../src/report/github.ts';
import { renderDiff } from '../../../src/report/diff-render.ts';
import { bigReport } from '../support/big-report.ts';
import { fixture, fixtureChanging, fixtureWith } from './fixture.ts';

/** A workflow command line read back as the runner does: command, properties (unescaped), message. */
function parseCommand(line: string): { command: string; props: Record<string, string>; message: string } {
  const m = /^::(\w+) ([^:]*)::(.*)$/.exec(line);
  if (m === null) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const props = Object.fromEntries((m[2] ?? '').split(',').map((kv) => {
    const eq = kv.indexOf('=');
    return [kv.slice(0, eq), unescape(kv.slice(eq + 1))];
  }));
  return { command: m[1] ?? '', props, message: unescape(m[3] ?? '') };
}

describe('github report: workflow annotations', () => {
  const report = fixture();
  const lines = render(report).trimEnd().split('\n');

  it('makes one annotation per non-pass, worst first: errors for leaks and broken, warnings for inconclusive', () => {
    const problems = report.results.filter((r) => r.status !== 'pass');
    expect(lines).to.have.length(problems.length);
    expect(lines.map((l) => parseCommand(l).command)).to.deep.equal(['error', 'error', 'error', 'error', 'error', 'error', 'warning', 'warning']);
    expect(lines.map((l) => parseCommand(l).props.title?.split(':')[0])).to.deep.equal(['netprobe leak', 'netprobe leak', 'netprobe broken', 'netprobe broken', 'netprobe broken', 'netprobe broken', 'netprobe inconclusive', 'netprobe inconclusive']);
  });

  it('points each at its expectation: file, line and column of its location', () => {
    for (const r of report.results.filter((x) => x.status !== 'pass')) {
      const line = lines.find((l) => parseCommand(l).props.title === `netprobe ${r.status}: ${r.name}`);
      expect(line, r.name).to.not.equal(undefined);
      const { props } = parseCommand(line ?? '');
      expect(`${props.file}:${props.line}:${props.col}`).to.equal(r.location);
    }
  });

  it('says the path, expected and observed, why, and how to decide an inconclusive one', () => {
    const leak = parseCommand(lines[0] ?? '');
    const first = report.results.find((r) => r.status === 'leak');
    expect(leak.message.split('\n')[0]).to.equal(`${first?.source} -> ${first?.destination}:${first?.port}/${first?.protocol}: expected deny, observed allowed (${first?.outcome})`);
    expect(leak.message).to.include(first?.detail);
    const ghost = parseCommand(lines.find((l) => l.includes('ghost target')) ?? '');
    expect(ghost.message.split('\n').at(-1)).to.equal('To decide: start a Running, Ready pod of it (or, for a pod selector, set synthetic: true to probe a netprobe echo server with its labels)');
  });

  it('is empty when everything passed', () => {
    expect(render(fixtureWith((r) => r.status === 'pass'))).to.equal('');
  });

  it('keeps each annotation on one line whatever the text holds, and round-trips it', () => {
    const tricky = 'a: 100%, b\r\nc\nd::e\u001b[31m';
    const changed = fixtureChanging(1, { name: tricky, detail: tricky, location: 'suites/a,b:c.yaml:31:7' });
    const out = render(changed).trimEnd().split('\n');
    expect(out).to.have.length(8);
    const leak = parseCommand(out[0] ?? '');
    expect(leak.props.file).to.equal('suites/a,b:c.yaml');
    expect(leak.props.line).to.equal('31');
    expect(leak.props.title).to.equal('netprobe leak: a: 100%, b\nc\nd::e\\x1b[31m');
    expect(leak.message).to.include('\na: 100%, b\nc\nd::e\\x1b[31m');
  });

  it('escapes data and properties by the runner\'s rules', () => {
    expect(ghData('50% a\r\nb\nc: d, e')).to.equal('50%25 a%0Ab%0Ac: d, e');
    expect(ghProperty('50% a\nb: c, d')).to.equal('50%25 a%0Ab%3A c%2C d');
  });

  it('gives no line when the location has none, and nothing for a pass', () => {
    const r = { ...fixture().results[1]!, location: 'generated' };
    expect(annotation(r)).to.match(/^::error file=generated,title=/);
    expect(annotation(fixture().results[0]!)).to.equal(undefined);
  });

  it('at 20,000 expectations: one line per non-pass', () => {
    const big = bigReport(20_000, 50);
    const out = render(big).trimEnd().split('\n');
    expect(out).to.have.length(big.summary.leak + big.summary.broken + big.summary.inconclusive);
  });
});

describe('github-output report: step outputs', () => {
  it('gives the verdict, the counts and the run id, one name=value per line', () => {
    const report = fixture();
    expect(renderOutputs(report)).to.equal(`verdict=failed\ntotal=13\npass=5\nleak=2\nbroken=4\ninconclusive=2\nrun-id=${report.run.id}\n`);
    expect(renderOutputs(fixtureWith((r) => r.status !== 'leak' && r.status !== 'broken'))).to.match(/^verdict=undecided\n/);
  });

  it('cannot be made to set another output through the run id', () => {
    const report = fixture();
    const out = renderOutputs({ ...report, run: { ...report.run, id: 'x\nleak=0' } });
    expect(out.split('\n').filter((l) => l.startsWith('leak='))).to.deep.equal(['leak=2']);
  });
});

describe('github formats of report diff', () => {
  it('annotates new leaks and broken paths as errors and lost proof as a warning, at their lines', () => {
    const older = fixtureWith(() => true);
    const passed = older.results.map((r) => ({ ...r, status: 'pass' as const }));
    const before = { ...older, results: passed };
    const out = renderDiff('github', before, older).trimEnd().split('\n');
    expect(out.map((l) => parseCommand(l).command)).to.deep.equal(['error', 'error', 'error', 'error', 'error', 'error', 'warning', 'warning']);
    expect(parseCommand(out[0] ?? '').props.title).to.match(/^netprobe new leak: /);
    expect(renderDiff('github', older, older)).to.equal('');
  });

  it('outputs the diff verdict and a count per kind of change', () => {
    const report = fixture();
    const out = renderDiff('github-output', report, report);
    expect(out).to.match(/^verdict=not-worse\nnew-leak=0\n/);
    expect(out).to.match(/\nunchanged=13\n$/);
  });
});
