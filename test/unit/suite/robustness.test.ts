// Mutated suites never crash the loader: every outcome is a list of one-line, positioned diagnostics.
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../../../src/suite/load.ts';
import { suitesFromDocuments } from '../../../src/suite/index.ts';
import { expandSuites } from '../../../src/suite/expand.ts';

const EXAMPLES = 'suites/examples';
const INSERTS = [':', '-', '{', '}', '[', ']', ' ', '  ', '\t', '"', "'", '&a', '*a', '!!', '%', '#', ',', '\n', '\n  ', '0', 'x', '---\n', '<<: ', '~', '?'];

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  const lines = text.split('\n');
  switch (Math.floor(next() * 5)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4));
    case 1:
      return text.slice(0, at) + INSERTS[Math.floor(next() * INSERTS.length)]! + text.slice(at);
    case 2: {
      const i = Math.floor(next() * lines.length);
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }
    case 3: {
      const i = Math.floor(next() * lines.length);
      lines.splice(i, 1);
      return lines.join('\n');
    }
    default:
      return text.slice(0, at) + text.slice(at).replace(/^(\s*)\S+/, (_m, s: string) => `${s}${['null', '[]', '{}', '-1', 'true', '"x"'][Math.floor(next() * 6)]}`);
  }
}

describe('loader robustness', () => {
  it('600 mutated example suites: no exception, every diagnostic one positioned line', function () {
    this.timeout(60000);
    const next = rng(20261123);
    const sources = readdirSync(EXAMPLES).map((f) => readFileSync(path.join(EXAMPLES, f), 'utf8'));
    let withErrors = 0;
    for (let i = 0; i < 600; i++) {
      let text = sources[i % sources.length]!;
      const rounds = 1 + Math.floor(next() * 3);
      for (let r = 0; r < rounds; r++) text = mutate(text, next);
      let result: ReturnType<typeof suitesFromDocuments> & { parse: ReturnType<typeof parseYaml>['diagnostics'] };
      try {
        const parsed = parseYaml('m.yaml', text);
        result = { ...suitesFromDocuments(parsed.documents), parse: parsed.diagnostics };
        expandSuites(result.suites);
      } catch (e) {
        throw new Error(`mutation ${i} threw ${String(e)} on:\n${text}`);
      }
      const all = [...result.parse, ...result.diagnostics];
      if (all.length > 0) withErrors++;
      for (const d of all) {
        expect(d.file).to.equal('m.yaml');
        expect(d.line, d.message).to.be.at.least(1);
        expect(d.col, d.message).to.be.at.least(1);
        expect(d.message.length).to.be.greaterThan(0);
        expect(d.message).to.not.match(/undefined|\[object Object\]|NaN/);
      }
    }
    expect(withErrors).to.be.greaterThan(150);
  });
});
