// Secrets never reach a report: header values, URL userinfo, query values. Every format goes through one
// redaction, and a saved JSON report (even one an older netprobe wrote unredacted) cannot give them back.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runReport } from '../../../src/cli/commands/report.ts';
import { FORMATS, renderReport } from '../../../src/report/render.ts';
import { REDACTED, redactDeep, redactText, redactUrl } from '../../../src/util/redact.ts';
import type { Report } from '../../../src/verdict/model.ts';
import { fixtureChanging } from './fixture.ts';

const SECRET = 'SECRET-4f1c9a';

/** The fixture with a planted secret in every field a URL or a header can reach. */
function planted(): Report {
  const report = fixtureChanging(1, { // a leak: every format shows its reproduce line
    name: `api [web -> https://u:${SECRET}@api.example/v1?token=${SECRET}]`,
    destination: `https://u:${SECRET}@api.example/v1?token=${SECRET}&page=2`,
    detail: `probe error: Get "https://api.example/v1?token=${SECRET}": context deadline exceeded`,
    reproduce: `kubectl run netprobe-repro --rm -i -- curl -sS -H 'Authorization: Bearer ${SECRET}' -H 'X-Quote: it'\\''s ${SECRET}' 'https://10.0.0.9:443/v1?token=${SECRET}'`,
  });
  report.run.command = `netprobe run suites/ -o json=r.json`;
  return report;
}

describe('redaction helpers', () => {
  it('URLs: userinfo and every query value and the fragment become <redacted>; names and the rest stay', () => {
    expect(redactUrl('https://admin:pw@api.example:8443/a/b?token=x&page=2&flag#frag')).to.equal(
      `https://${REDACTED}@api.example:8443/a/b?token=${REDACTED}&page=${REDACTED}&${REDACTED}#${REDACTED}`,
    );
    expect(redactUrl('http://api.example/health')).to.equal('http://api.example/health');
    expect(redactUrl('http://api.example/?')).to.equal('http://api.example/?');
  });

  it('finds URLs and curl headers inside free text, and leaves other text alone', () => {
    expect(redactText(`Get "http://10.0.0.1:80/x?k=${SECRET}": EOF`)).to.equal(`Get "http://10.0.0.1:80/x?k=${REDACTED}": EOF`);
    expect(redactText(`curl -H 'Authorization: Bearer ${SECRET}' -X GET`)).to.equal(`curl -H 'Authorization: ${REDACTED}' -X GET`);
    expect(redactText('expected deny, observed allowed (connected) on shop/db:5432/TCP')).to.equal('expected deny, observed allowed (connected) on shop/db:5432/TCP');
  });

  it('is idempotent: redacted text passes through unchanged', () => {
    const once = redactDeep(planted());
    expect(redactDeep(once)).to.deep.equal(once);
  });
});

describe('every report format is redacted', () => {
  for (const format of FORMATS) {
    it(`${format}: no secret, and the header name and <redacted> in its place`, () => {
      // JUnit escapes the marker's angle brackets, HTML's data (JSON) writes `<` as \u003c; read both back as text.
      const text = renderReport(format, planted(), {}).replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('\\u003c', '<');
      expect(text).not.to.contain(SECRET);
      // The annotations carry no reproduce command (only the detail), the step outputs only counts.
      if (format !== 'github' && format !== 'github-output') expect(text).to.contain('Authorization: <redacted>');
      if (format !== 'github-output') expect(text).to.contain('token=<redacted>');
    });
  }

  it('a saved JSON report holds no secret, and `netprobe report` cannot bring one back from an old unredacted one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netprobe-redact-'));
    try {
      // As an older netprobe saved it: the secrets in the file itself.
      const old = join(dir, 'old.json');
      await writeFile(old, `${JSON.stringify(planted(), null, 2)}\n`);
      let out = '';
      const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t) };
      const outputs = FORMATS.map((f) => `${f}=out/r.${f}`);
      await runReport([old, ...outputs.flatMap((o) => ['-o', o])], io, { isTTY: false }, {}, dir);
      for (const f of FORMATS) expect(await readFile(join(dir, `out/r.${f}`), 'utf8'), f).not.to.contain(SECRET);
      expect(out).not.to.contain(SECRET);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
