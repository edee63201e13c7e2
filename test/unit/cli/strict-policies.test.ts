// Policy files are checked strictly wherever they are read: validate, predict, explain, generate.
import { expect } from 'chai';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netprobeInProcess as netprobe } from '../support/cli.ts';

const BAD = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: demo-api}
spec:
  podSelectr: {matchLabels: {app: api}}
  egress: [{ports: [{protocol: tcp, port: 53}]}]
`;

describe('strict policy files in the commands', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'np-strict-'));
    cpSync('demo/policies', join(dir, 'policies'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('validate accepts the demo policies next to the demo suites and counts them', async () => {
    const r = await netprobe('validate', join(dir, 'policies'), 'suites/demo');
    expect(r.code, r.err + r.out).to.equal(0);
    expect(r.out).to.match(/OK: 2 suites, .* 12 policies \(7 files\)/);
  });

  it('validate: a typo and a lowercase protocol in a policy, each at file:line:col, exit 2', async () => {
    const bad = join(dir, 'policies', 'bad.yaml');
    writeFileSync(bad, BAD);
    const r = await netprobe('validate', join(dir, 'policies'));
    expect(r.code).to.equal(2);
    expect(r.out.trim().split('\n')).to.deep.equal([
      `${bad}:5:3: unknown key \`podSelectr\` in NetworkPolicySpec; did you mean \`podSelector\`?`,
      `${bad}:6:32: protocol: found \`tcp\`, expected one of \`TCP\`, \`UDP\` or \`SCTP\`; did you mean \`TCP\`?`,
    ]);
  });

  it('validate prints lint warnings with codes and exits 0; --lint-errors makes them errors; --ignore-lint leaves one out', async () => {
    const warned = await netprobe('validate', join(dir, 'policies'));
    expect(warned.code).to.equal(0);
    expect(warned.out).to.match(/40-data\.yaml:25:7: warning NPL001 \(and-or-trap\): from\[0\]/);
    const strict = await netprobe('validate', '--lint-errors', join(dir, 'policies'));
    expect(strict.code).to.equal(2);
    expect(strict.out).to.include('NPL001');
    const ignored = await netprobe('validate', '--lint-errors', '--ignore-lint', 'and-or-trap,NPL004', join(dir, 'policies'));
    expect(ignored.code, ignored.out).to.equal(0);
    expect(ignored.out).to.not.include('NPL0');
    const typo = await netprobe('validate', '--ignore-lint', 'and-or-trp', join(dir, 'policies'));
    expect(typo.code).to.equal(2);
    expect(typo.err).to.include('did you mean and-or-trap?');
  });

  for (const args of [['predict', 'suites/demo'], ['explain', '--from', 'demo-api/api', '--to', 'demo-db/postgres', '--port', '5432'], ['generate', 'from-policies', '-n', 'demo-api']]) {
    it(`${args[0]} refuses policies the API server would reject (exit 2, file:line:col on stderr)`, async () => {
      writeFileSync(join(dir, 'policies', 'bad.yaml'), BAD);
      const r = await netprobe(...args, '--policies', join(dir, 'policies'));
      expect(r.code, r.err).to.equal(2);
      expect(r.err).to.include('bad.yaml:5:3: unknown key `podSelectr`');
      expect(r.err).to.include('the API server would reject');
    });
  }
});
