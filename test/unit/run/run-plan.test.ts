// What a run shows before and after probing: the --dry-run plan (what would be created, where), the
// namespaces it reads, and the command that reproduces a probe by hand.
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { PlannedProbe, ProbeTarget, SourceIdentity } from '../../../src/plan/types.ts';
import { reproduceCommand } from '../../../src/probe/reproduce.ts';
import { describePlan, namespacesOf } from '../../../src/run/run-suites.ts';
import { casesOf, pod, snapshot } from '../support/world.ts';

const WEB = `{namespace: shop, podSelector: {matchLabels: {app: web}}}`;

describe('describePlan (--dry-run)', () => {
  it('says how many pods of each kind, where, with which labels and service account, and what cannot be probed', () => {
    const cases = casesOf(`  expectations:
    - {name: a, from: ${WEB}, to: {host: 192.0.2.1}, ports: [80, 443], expect: deny}
    - {name: b, from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: ghost}}, synthetic: true}, port: 8080, expect: deny}
    - {name: c, from: ${WEB}, to: {namespace: gone, podSelector: {}}, port: 80, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [pod('shop', 'web-0', { app: 'web', 'pod-template-hash': 'h' })] }));
    const lines = describePlan(plan);
    expect(lines[0]).to.equal('4 cases, 3 probes, 1 probe pods, 1 echo servers');
    expect(lines).to.include('  probe pod in shop: labels app=web, serviceAccount default (for shop/web-0); 3 probes');
    expect(lines.filter((l) => l.startsWith('  echo server in shop: labels app=ghost, ports 8080/tcp (for '))).to.have.length(1);
    expect(lines).to.include('  cannot probe c: destination: namespace gone does not exist');
    expect(lines).to.have.length(4);
  });
});

describe('namespacesOf', () => {
  it('every namespace a case names, once, sorted; hosts and URLs name none; DNS without `to` reads kube-system', () => {
    const cases = casesOf(`  expectations:
    - {name: a, from: ${WEB}, to: [{namespace: db, podSelector: {}}, {host: 192.0.2.1}], port: 5432, expect: deny}
    - {name: b, from: {namespace: api, workload: {kind: Deployment, name: api}}, to: {url: "http://x.example/"}, expect: allow}
    - {name: c, from: ${WEB}, protocol: DNS, expect: allow}
`);
    expect(namespacesOf(cases)).to.deep.equal(['api', 'db', 'kube-system', 'shop']);
  });
});

describe('reproduceCommand', () => {
  const SOURCE: SourceIdentity = { key: 'k', namespace: 'shop', labels: { app: 'web', tier: 'front' }, serviceAccount: 'web-sa', standsFor: 'shop/web' };
  const probe = (target: Partial<ProbeTarget>, timeoutMs = 2000): PlannedProbe => ({
    id: 'x#0',
    caseId: 'x',
    sourceKey: 'k',
    target: { kind: 'tcp', host: '10.1.0.1', port: 5432, route: 'pod', display: 'd', aliveKeys: [], ...target },
    timeoutMs,
    attempts: 1,
  });
  /** The words a POSIX shell makes of the command line: proves the quoting holds. */
  const shellWords = (cmd: string): string[] => execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${cmd}`], { encoding: 'utf8' }).trimEnd().split('\n');

  it('starts a throwaway pod with the source\'s namespace, labels and service account, in a restricted-friendly security context', () => {
    const words = shellWords(reproduceCommand(probe({}), SOURCE, 'ghcr.io/netprobe/probe:1', new Map()));
    expect(words.slice(0, 8)).to.deep.equal(['kubectl', 'run', 'netprobe-repro', '--rm', '-i', '--restart=Never', '-n', 'shop']);
    expect(words).to.include('--image=ghcr.io/netprobe/probe:1');
    expect(words).to.include('--labels=app=web,tier=front');
    const overrides = JSON.parse(words.find((w) => w.startsWith('--overrides='))!.slice('--overrides='.length));
    expect(overrides.spec.serviceAccountName).to.equal('web-sa');
    expect(overrides.spec.securityContext).to.include({ runAsNonRoot: true });
    expect(words.slice(words.indexOf('--') + 1)).to.deep.equal(['nc', '-z', '-v', '-w', '2', '10.1.0.1', '5432']);
  });

  it('runs the same check: curl with method, header names and URL, values redacted; nslookup; UDP through nc -u', () => {
    const after = (cmd: string) => {
      const w = shellWords(cmd);
      return w.slice(w.indexOf('--') + 1);
    };
    const http = after(reproduceCommand(probe({ kind: 'http', scheme: 'https', port: 8443, path: '/a b?x=1', method: 'DELETE', headers: { 'X-Token': "it's" } }, 1500), SOURCE, 'img', new Map()));
    expect(http[0]).to.equal('curl');
    expect(http).to.include.members(['-X', 'DELETE', '-H', 'X-Token: <redacted>', 'https://10.1.0.1:8443/a b?x=<redacted>']);
    expect(http.join(' ')).not.to.contain("it's");
    expect(http[http.indexOf('--max-time') + 1]).to.equal('2');
    const dns = after(reproduceCommand(probe({ kind: 'dns', port: 53, dnsName: 'db.shop.svc.cluster.local' }), SOURCE, 'img', new Map()));
    expect(dns).to.deep.equal(['nslookup', 'db.shop.svc.cluster.local', '10.1.0.1']);
    const udp = after(reproduceCommand(probe({ kind: 'udp', port: 9000 }), SOURCE, 'img', new Map()));
    expect(udp).to.deep.equal(['sh', '-c', 'echo netprobe | nc -u -w 2 10.1.0.1 9000']);
  });

  it('uses the echo server\'s IP for a stand-in target, and a placeholder when it never started', () => {
    const p = probe({ host: undefined, serverKey: 'srv', route: 'server' });
    expect(reproduceCommand(p, SOURCE, 'img', new Map([['srv', '10.1.0.77']]))).to.match(/ 10\.1\.0\.77 5432$/);
    expect(reproduceCommand(p, SOURCE, 'img', new Map())).to.contain('<server-ip>');
  });

  it('without a source identity gives the bare check', () => {
    expect(reproduceCommand(probe({}), undefined, 'img', new Map())).to.equal('nc -z -v -w 2 10.1.0.1 5432');
  });
});
