// `netprobe impact` offline, on the demo shop's files.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netprobeInProcess as netprobe } from '../support/cli.ts';
import { CACHE_AND } from '../support/demo-changes.ts';


describe('netprobe impact (files)', () => {
  let dir: string;
  const state = ['--state', 'demo/app', '--base-policies', 'demo/policies'];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'np-impact-'));
    writeFileSync(join(dir, '40-data.yaml'), CACHE_AND);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a change that denies a path allowed now: the path, its port and policy, exit 1', async () => {
    const r = await netprobe('impact', '--policies', join(dir, '40-data.yaml'), ...state);
    expect(r.code, r.err).to.equal(1);
    expect(r.out).to.include('1 newly denied, 0 newly allowed');
    expect(r.out).to.match(/DENIED +demo-api\/worker -> demo-db\/cache +6379\/TCP +by demo-db\/cache-ingress/);
  });

  it('a change that only opens: exit 0; markdown, json and html to files', async () => {
    writeFileSync(join(dir, 'open.yaml'), `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api-to-cache, namespace: demo-api}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Egress]\n  egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: cache}}}], ports: [{port: 6379}]}]\n`);
    const out = (f: string): string => join(dir, f);
    const r = await netprobe('impact', '--policies', out('open.yaml'), ...state, '-o', `markdown=${out('i.md')}`, '-o', `json=${out('i.json')}`, '-o', `html=${out('i.html')}`);
    expect(r.code, r.err).to.equal(0);
    const json = JSON.parse(readFileSync(out('i.json'), 'utf8')) as { changed: string[]; paths: { change: string; to: { label: string } }[] };
    expect(json.changed).to.deep.equal(['demo-api/api-to-cache']);
    expect(json.paths.map((p) => `${p.change} ${p.to.label}`)).to.deep.equal(['newly-allowed demo-db/cache']);
    expect(readFileSync(out('i.md'), 'utf8')).to.include('| newly allowed | demo-api/api | demo-db/cache | 6379/TCP | demo-api/api-to-cache |');
    expect(readFileSync(out('i.html'), 'utf8')).to.include('<td>demo-api/api</td><td>demo-db/cache</td>');
  });

  it('lints the changed policies against the state: the OR trap written back is a warning on stderr', async () => {
    const or = CACHE_AND.replace('- from: [{namespaceSelector: {matchLabels: {team: api}}, podSelector: {matchLabels: {app: api}}}]', '- from: [{namespaceSelector: {matchLabels: {team: api}}}, {podSelector: {matchLabels: {app: api}}}]');
    writeFileSync(join(dir, '40-data.yaml'), or);
    const r = await netprobe('impact', '--policies', join(dir, '40-data.yaml'), ...state);
    expect(r.err).to.match(/40-data\.yaml:8:\d+: warning NPL001 \(and-or-trap\)/);
    expect(r.code).to.equal(0);
  });

  it('junit and tap: each changed path a test, a newly denied one failing', async () => {
    const r = await netprobe('impact', '--policies', join(dir, '40-data.yaml'), ...state, '-o', `junit=${join(dir, 'i.xml')}`, '-o', 'tap');
    expect(r.code).to.equal(1);
    const xml = readFileSync(join(dir, 'i.xml'), 'utf8');
    expect(xml).to.include('<testsuites name="netprobe impact" tests="1" failures="1">');
    expect(xml).to.include('<testcase classname="impact" name="newly-denied demo-api/worker -&gt; demo-db/cache 6379/TCP">');
    expect(r.out).to.match(/^TAP version 14\n1\.\.1\nnot ok 1 - newly-denied demo-api\/worker -> demo-db\/cache 6379\/TCP\n/);
  });

  it('--write-suite writes a suite validate accepts; --delete of an unknown policy and bad flags exit 2', async () => {
    const suite = join(dir, 'impact-suite.yaml');
    const r = await netprobe('impact', '--policies', join(dir, '40-data.yaml'), '--delete', 'demo-api/allow-dns', ...state, '--write-suite', suite);
    expect(r.code).to.equal(1);
    const v = await netprobe('validate', suite);
    expect(v.code, v.out).to.equal(0);
    expect(v.out).to.include('OK: 1 suite, 5 expectations');
    expect((await netprobe('impact', '--delete', 'demo-api/nope', ...state)).code).to.equal(2);
    expect((await netprobe('impact', '--policies', dir)).err).to.include('no current state');
    expect((await netprobe('impact', '--policies', dir, '--from-cluster', ...state)).code).to.equal(2);
  });

  it('refuses a changed policy the API server would reject, at file:line:col', async () => {
    writeFileSync(join(dir, '40-data.yaml'), CACHE_AND.replace('protocol: TCP', 'protocol: tcp'));
    const r = await netprobe('impact', '--policies', dir, ...state);
    expect(r.code).to.equal(2);
    expect(r.err).to.include('40-data.yaml:9:24: protocol: found `tcp`');
  });

  it('--namespaces judges only the workloads of those namespaces', async () => {
    writeFileSync(join(dir, '10-dns-egress.yaml'), '');
    const api = await netprobe('impact', '--policies', join(dir, '10-dns-egress.yaml'), ...state, '--namespaces', 'demo-api', '-o', 'json');
    const labels = (JSON.parse(api.out) as { paths: { from: { label: string } }[] }).paths.map((p) => p.from.label);
    expect(labels).to.deep.equal(['demo-api/api', 'demo-api/worker']);
    const db = await netprobe('impact', '--policies', join(dir, '10-dns-egress.yaml'), ...state, '--namespaces', 'demo-db');
    expect(db.code).to.equal(0);
    expect(db.out).to.include('no path changes');
  });

  it('a changed file left empty deletes the policies of the current file of that name', async () => {
    writeFileSync(join(dir, '10-dns-egress.yaml'), '');
    const r = await netprobe('impact', '--policies', join(dir, '10-dns-egress.yaml'), ...state);
    expect(r.code).to.equal(1);
    expect(r.out).to.include('impact of demo-frontend/allow-dns, demo-api/allow-dns');
    expect(r.out).to.match(/DENIED +demo-frontend\/web -> cluster DNS/);
  });
});
