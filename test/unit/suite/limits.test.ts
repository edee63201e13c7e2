// Input limits: a 6 KB suite that expands into 1,000,000 cases is refused at the expectation that
// explodes (file:line:col, exit 2) before any case is built; --max-cases moves the limit. YAML aliases
// resolve in one pass: 20,000 of them (80 KB) validate in about a second (51 s before).
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main, type CliIO } from '../../../src/cli/main.ts';
import { caseLimitDiagnostics } from '../../../src/suite/limits.ts';
import { check, spec } from './helpers.ts';

async function netprobe(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s) };
  const code = await main(args, io);
  return { code, out, err };
}

/** `n` endpoints and one expectation from all of them to all of them on `ports` ports (n x n x ports cases). */
export function explosiveSuite(n: number, ports: number): string {
  const names = Array.from({ length: n }, (_, i) => `e${i}`);
  const endpoints = names.map((e) => `    ${e}: {podSelector: {matchLabels: {x: ${e}}}}`).join('\n');
  const portList = Array.from({ length: ports }, (_, i) => 1000 + i).join(',');
  return spec(`
  defaults: {namespace: a}
  endpoints:
${endpoints}
  expectations:
    - name: small
      from: e0
      to: e1
      port: 80
      expect: allow
    - name: everything
      from: [${names.join(',')}]
      to: [${names.join(',')}]
      ports: [${portList}]
      expect: deny
`);
}

describe('input limits: cases', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netprobe-limits-'));
  const big = path.join(dir, 'big.yaml');
  const text = explosiveSuite(100, 100);
  writeFileSync(big, text);
  // The line of `- name: everything`: where the error must point.
  const line = text.split('\n').findIndex((l) => l.includes('name: everything')) + 1;

  it('the suite is small (about 6 KB) and asks for 1,000,000 cases', () => {
    expect(text.length).to.be.below(6500);
    const { suites, errors } = check(text);
    expect(errors).to.deep.equal([]);
    expect(caseLimitDiagnostics(suites, 1_000_001)).to.deep.equal([]);
    expect(caseLimitDiagnostics(suites, 1_000_000)).to.have.length(1);
  });

  for (const cmd of ['validate', 'predict']) {
    it(`${cmd}: exit 2 with file:line:col at the expectation that explodes, no case built`, async () => {
      const args = cmd === 'predict' ? ['predict', '--policies', big, big] : ['validate', big];
      const r = await netprobe(...args);
      expect(r.code, r.err).to.equal(2);
      const message = `${r.out}${r.err}`;
      expect(message).to.contain(`${big}:${line}:7: expectation expands to 1,000,000 cases (100 from x 100 to x 100 ports) after 1 cases before it, over the limit of 100,000 cases`);
      expect(message).to.contain('--max-cases');
    });
  }

  it('--max-cases moves the limit both ways', async () => {
    const small = path.join(dir, 'small.yaml');
    writeFileSync(small, explosiveSuite(10, 10));
    expect((await netprobe('validate', small)).out).to.contain('1001 cases');
    const under = await netprobe('validate', '--max-cases', '1000', small);
    expect(under.code).to.equal(2);
    expect(under.out).to.match(/small\.yaml:\d+:7: expectation expands to 1,000 cases .*over the limit of 1,000 cases/);
    expect((await netprobe('validate', '--max-cases', '1001', small)).code).to.equal(0);
  });

  it('--max-cases takes a whole number of at least 1', async () => {
    for (const bad of ['0', '-3', '1.5', 'many']) {
      const r = await netprobe('validate', `--max-cases=${bad}`, 'suites/examples');
      expect(r.code, bad).to.equal(2);
      expect(r.err).to.contain(`--max-cases ${bad}: expected a whole number of at least 1`);
    }
  });

  it('--only selects before the limit counts', async () => {
    const r = await netprobe('validate', '--only', 'small', big);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.contain('1 case');
  });
});

describe('input limits: YAML aliases', () => {
  it('20,000 aliases in 80 KB validate (one pass over the document, not one per alias)', function () {
    // The old code walked the whole document for each alias: about a minute for this file.
    this.timeout(30_000);
    const aliases = Array(20_000).fill('*w').join(', ');
    const text = spec(`
  endpoints:
    web: &w {namespace: a, podSelector: {matchLabels: {app: web}}}
  expectations:
    - name: many
      to: {namespace: a, podSelector: {matchLabels: {app: db}}}
      port: 5432
      expect: deny
      from: [${aliases}]
`);
    expect(text.length).to.be.within(80_000, 81_000);
    const { suites, errors } = check(text);
    expect(errors).to.deep.equal([]);
    expect(suites[0]!.expectations[0]!.from).to.have.length(20_000);
    expect(suites[0]!.expectations[0]!.from[19_999]!.peer).to.deep.include({ kind: 'pods', namespace: 'a' });
  });

  it('an alias stands for the last anchor of its name before it', () => {
    const { suites, errors } = check(
      spec(`
  endpoints:
    web: &p {namespace: a, podSelector: {matchLabels: {app: web}}}
    db: &p {namespace: b, podSelector: {matchLabels: {app: db}}}
  expectations:
    - {name: x, from: *p, to: web, port: 80, expect: allow}
`),
    );
    expect(errors).to.deep.equal([]);
    expect(suites[0]!.expectations[0]!.from[0]!.peer).to.deep.include({ namespace: 'b' });
  });
});
