// `netprobe impact`'s engine: the demo shop's policies and workloads as the current state, small changes
// written the way a pull request would change them.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { AdminPolicyEngine } from '../../../src/policy/admin.ts';
import { computeImpact, impactEndpoints, type ImpactResult } from '../../../src/policy/impact.ts';
import { applyPolicyChange, deletesForEmptyFile } from '../../../src/policy/impact-change.ts';
import { loadManifestFiles, type LoadedManifests } from '../../../src/policy/load-files.ts';
import { parseManifests } from '../../../src/policy/manifests.ts';
import { impactSuite } from '../../../src/incident/impact-suite.ts';
import { loadGeneratedSuite } from '../../../src/incident/common.ts';
import { CACHE_AND } from '../support/demo-changes.ts';

const demo = fileURLToPath(new URL('../../../demo', import.meta.url));


const API_TO_CACHE = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-to-cache, namespace: demo-api}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchLabels: {app: cache}}}], ports: [{port: 6379}]}]
`;

/** `change from -> to ports by policies` lines. */
function lines(r: ImpactResult): string[] {
  return r.paths.map((p) => `${p.change} ${p.from.label} -> ${p.to.label} ${p.ports.map((x) => `${x.port}/${x.protocol}`).join(',')} by ${p.policies.join(',')}`);
}

describe('impact: the reachability a policy change changes', () => {
  let base: LoadedManifests;
  before(async () => {
    base = await loadManifestFiles([`${demo}/policies`, `${demo}/app`]);
  });
  const impact = (changedText: string, deletes: string[] = []): ImpactResult => {
    const applied = applyPolicyChange(base, { changed: parseManifests(changedText, 'changed.yaml'), deletes });
    return computeImpact({ before: base, after: applied.after, changed: applied.changedKeys });
  };

  it('fixing the demo\'s OR trap (cache-ingress in AND form) denies exactly the worker\'s path to the cache', () => {
    expect(lines(impact(CACHE_AND))).to.deep.equal(['newly-denied demo-api/worker -> demo-db/cache 6379/TCP by demo-db/cache-ingress']);
  });

  it('deleting allow-dns of demo-api cuts DNS (53 UDP and TCP) for both workloads there, against the assumed cluster DNS', () => {
    const r = impact('', ['demo-api/allow-dns']);
    expect(lines(r)).to.deep.equal([
      'newly-denied demo-api/api -> cluster DNS (kube-system k8s-app=kube-dns; assumed) 53/TCP,53/UDP by demo-api/allow-dns',
      'newly-denied demo-api/worker -> cluster DNS (kube-system k8s-app=kube-dns; assumed) 53/TCP,53/UDP by demo-api/allow-dns',
    ]);
    expect(r.paths[0]!.reason).to.include('isolated for egress by demo-api/default-deny-all');
  });

  it('a new egress rule for the API to the cache is newly allowed (the demo\'s broken path fixed); newly denied paths come first', () => {
    const r = impact(API_TO_CACHE, ['demo-api/api-egress']);
    const found = lines(r);
    expect(found[found.length - 1]).to.equal('newly-allowed demo-api/api -> demo-db/cache 6379/TCP by demo-api/api-to-cache');
    expect(found.slice(0, -1).every((l) => l.startsWith('newly-denied demo-api/api -> '))).to.equal(true);
    expect(found.slice(0, -1).map((l) => l.split(' -> ')[1]!.split(' ')[0])).to.deep.equal(['198.51.100.10/32', 'demo-db/postgres', 'demo-db/statsd']);
  });

  it('judges only the pairs the change can touch, and loses nothing: every pair judged in full finds the same paths', () => {
    const applied = applyPolicyChange(base, { changed: parseManifests(CACHE_AND + '---\n' + API_TO_CACHE, 'c.yaml'), deletes: ['demo-api/allow-dns'] });
    const r = computeImpact({ before: base, after: applied.after, changed: applied.changedKeys });
    const before = new AdminPolicyEngine(base);
    const after = new AdminPolicyEngine(applied.after);
    const endpoints = impactEndpoints(base, [before, after]);
    // The brute force: every pair (with the same ports) against both engines.
    const changedPairs = new Set<string>();
    for (const s of endpoints) for (const d of endpoints) {
      if (s === d || s.endpoint === endpoints.find((e) => e.label.includes('assumed'))?.endpoint) continue;
      for (const port of [53, 80, 5432, 6379, 8080, 8125]) for (const protocol of ['TCP', 'UDP'] as const) {
        const conn = { source: s.endpoint, destination: d.endpoint, port, protocol };
        const a = after.evaluate(conn);
        const b = before.evaluate(conn);
        if (a.error === undefined && b.error === undefined && a.allowed !== b.allowed) changedPairs.add(`${s.label} -> ${d.label}`);
      }
    }
    expect(new Set(r.paths.map((p) => `${p.from.label} -> ${p.to.label}`))).to.deep.equal(changedPairs);
    expect(r.counts.pairs).to.be.below(endpoints.length * endpoints.length);
  });

  it('an outside CIDR any policy names is split where the policies treat it differently', () => {
    const open = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-egress, namespace: demo-api}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 198.51.100.0/24, except: [198.51.100.10/32]}}], ports: [{port: 80}]}]
`;
    const found = lines(impact(open)).filter((l) => l.includes('198.51.100'));
    expect(found).to.include('newly-denied demo-api/api -> 198.51.100.10/32 80/TCP by demo-api/api-egress');
    expect(found.some((l) => /^newly-allowed demo-api\/api -> 198\.51\.100\.0\/29 \+ .* 80\/TCP/.test(l))).to.equal(true);
  });

  it('applies a change: replace, add, delete; a delete of an unknown policy is reported; an emptied file deletes its policies', () => {
    const changed = parseManifests(CACHE_AND + '---\n' + API_TO_CACHE, 'c.yaml');
    const applied = applyPolicyChange(base, { changed, deletes: ['demo-api/allow-dns', 'demo-api/nope'] });
    expect(applied.changedKeys).to.deep.equal(['demo-db/cache-ingress', 'demo-api/api-to-cache', 'demo-api/allow-dns']);
    expect(applied.unknownDeletes).to.deep.equal(['demo-api/nope']);
    expect(applied.after.policies.length).to.equal(base.policies.length);
    expect(deletesForEmptyFile('/pr/policies/10-dns-egress.yaml', base.perFile)).to.deep.equal(['demo-frontend/allow-dns', 'demo-api/allow-dns']);
  });

  it('--write-suite: the after-state of each changed path, a suite the normal loader reads', () => {
    const r = impact(API_TO_CACHE, ['demo-api/allow-dns']);
    const suite = impactSuite(r, 'PR 42');
    const [loaded] = loadGeneratedSuite(suite.yaml, 'impact.yaml');
    const byName = new Map(loaded!.expectations.map((e) => [e.name, e.expect]));
    expect(byName.get('newly-allowed demo-api/api -> demo-db/cache 6379/TCP')).to.equal('allow');
    expect(byName.get('newly-denied demo-api/worker -> cluster DNS (kube-system k8s-app=kube-dns; assumed) 53/UDP')).to.equal('deny');
    expect(suite.yaml).to.include('# newly allowed (denied now) by demo-api/api-to-cache; the change: PR 42');
  });
});

