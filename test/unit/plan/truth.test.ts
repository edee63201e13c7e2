// Truth holes of issue 10 in planning and judging: Service liveness per backend pod, expectStatus on a
// deny, and hostNetwork sources. (Control probes: control.test.ts; meshes: mesh.test.ts.)
import { expect } from 'chai';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { Plan } from '../../../src/plan/types.ts';
import { casesOf, deployment, oneCase, pod, service, snapshot } from '../support/world.ts';
import { judgeBy } from '../support/judge.ts';

const WEB = `{namespace: shop, podSelector: {matchLabels: {app: web}}}`;
const API = `{namespace: shop, podSelector: {matchLabels: {app: api}}}`;
const web = () => pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.100'] });
const api = () => pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.101'] });

describe('Service targets: alive per backend pod', () => {
  // Two replicas of one identity: db-a does not listen on 8080, db-b does (with a readiness probe).
  const dbA = () => pod('shop', 'db-a', { app: 'db', 'pod-template-hash': '1' }, { ips: ['10.1.0.1'] });
  const dbB = () => pod('shop', 'db-b', { app: 'db', 'pod-template-hash': '2' }, { ips: ['10.1.0.2'], readinessPorts: [{ port: 8080, kind: 'tcpSocket' }] });
  const svc = service('shop', 'db', { app: 'db' }, [{ port: 80, targetPort: 8080, protocol: 'TCP' }], '10.96.5.5');
  const world = () => snapshot(['shop'], { pods: [web(), api(), dbA(), dbB()], services: [svc] });

  it('the Service route lists every backend pod, not one per collapsed replica set', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 80, expect: allow}`)], world());
    const viaService = plan.probes.find((p) => p.target.route === 'service')!;
    expect(viaService.target.aliveKeys).to.have.members(['10.1.0.1:8080/tcp', '10.1.0.2:8080/tcp']);
    // One replica's readiness vouches for that replica only.
    expect(Object.keys(plan.alive)).to.deep.equal(['10.1.0.2:8080/tcp']);
  });

  it('a connection through the ClusterIP does not vouch for a replica it may not have reached', () => {
    const cases = casesOf(`  expectations:
    - {name: via-service, from: ${WEB}, to: {namespace: shop, service: db}, port: 80, expect: allow}
    - {name: to-pods, from: ${API}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 8080, expect: deny}
`);
    const plan = buildPlan(cases, world());
    // The ClusterIP connected (kube-proxy chose db-b); db-a, probed directly, refuses: nothing listens there.
    const results = judgeBy(plan, (p) => (p.target.route === 'service' ? 'connected' : p.target.host === '10.1.0.1' ? 'refused' : 'connected'));
    const toPods = results.find((r) => r.name === 'to-pods')!;
    expect(toPods.status).to.equal('inconclusive');
    expect(toPods.detail).to.match(/nothing shows the target is alive/);
  });

  it('a deny through the ClusterIP holds only when every backend is shown alive', () => {
    // This time the first replica (the one probed directly) listens and the second does not.
    const listening = pod('shop', 'db-a', { app: 'db', 'pod-template-hash': '1' }, { ips: ['10.1.0.1'], readinessPorts: [{ port: 8080, kind: 'tcpSocket' }] });
    const deaf = pod('shop', 'db-b', { app: 'db', 'pod-template-hash': '2' }, { ips: ['10.1.0.2'] });
    const deny = oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 80, expect: deny}`);
    const plan = buildPlan([deny], snapshot(['shop'], { pods: [web(), listening, deaf], services: [svc] }));
    // The ClusterIP may have sent the probe to db-b, where nothing listens: refused proves nothing.
    const [r] = judgeBy(plan, () => 'refused');
    expect(r!.status).to.equal('inconclusive');
    expect(r!.detail).to.contain('Service shop/db');
    // With db-b also shown alive, the same observations prove the deny.
    deaf.readinessPorts = [{ port: 8080, kind: 'tcpSocket' }];
    const proven = buildPlan([deny], snapshot(['shop'], { pods: [web(), listening, deaf], services: [svc] }));
    expect(judgeBy(proven, () => 'refused')[0]!.status).to.equal('pass');
  });
});

describe('expectStatus on a deny (the status that would mean allowed)', () => {
  const target = () => pod('shop', 'api-0', { app: 'admin' }, { ips: ['10.1.0.7'], readinessPorts: [{ port: 8080, kind: 'httpGet' }] });
  const plan = () =>
    buildPlan(
      [oneCase(`{from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: admin}}}, port: 8080, protocol: HTTP, http: {path: /admin, expectStatus: 200}, expect: deny}`)],
      snapshot(['shop'], { pods: [web(), target()] }),
    );
  const judged = (status: number) => judgeBy(plan(), () => ['connected', { httpStatus: status }])[0]!;

  it('a 4xx is a rejection at L7: pass', () => {
    for (const s of [401, 403, 404, 429]) expect(judged(s), String(s)).to.include({ status: 'pass', observed: 'denied' });
  });

  it('a 5xx is a server error, not a rejection: inconclusive, and says so', () => {
    for (const s of [500, 502, 503, 504]) {
      const r = judged(s);
      expect(r, String(s)).to.include({ status: 'inconclusive', observed: 'unknown' });
      expect(r.detail).to.contain(`HTTP ${s}`).and.to.match(/server error/).and.to.match(/not a rejection/);
    }
  });

  it('a 3xx is a redirect, not a rejection: inconclusive, and says what would decide it', () => {
    for (const s of [301, 302, 307]) {
      const r = judged(s);
      expect(r, String(s)).to.include({ status: 'inconclusive', observed: 'unknown' });
      expect(r.detail).to.match(/redirect/);
      expect(r.decideBy).to.match(/expectStatus|path/);
    }
  });

  it('a success other than the expected status was still served: leak', () => {
    for (const s of [200, 201, 204]) expect(judged(s), String(s)).to.include({ status: 'leak', observed: 'allowed' });
  });
});

describe('hostNetwork sources: a probe pod on the pod network does not stand for them', () => {
  const DB = `{namespace: shop, podSelector: {matchLabels: {app: db}}}`;
  const db = () => pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.1'], readinessPorts: [{ port: 5432, kind: 'tcpSocket' }] });
  const agent = (name: string, hostNetwork: boolean) => pod('shop', name, { app: 'agent' }, { ips: [hostNetwork ? '192.168.1.5' : '10.1.0.50'], hostNetwork });
  const reasons = (plan: Plan) => plan.unprobeable.map((u) => u.reason);

  it('a hostNetwork Pod, Deployment or selector: inconclusive with the reason and what would decide it, nothing started', () => {
    const hostDeployment = { ...deployment('shop', 'agent', { app: 'agent' }), hostNetwork: true };
    for (const from of ['{namespace: shop, workload: {kind: Pod, name: agent-0}}', '{namespace: shop, workload: {kind: Deployment, name: agent}}', '{namespace: shop, podSelector: {matchLabels: {app: agent}}}']) {
      const plan = buildPlan([oneCase(`{from: ${from}, to: ${DB}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [agent('agent-0', true), db()], workloads: [hostDeployment] }));
      expect(plan.sources, from).to.deep.equal([]);
      expect(plan.probes, from).to.deep.equal([]);
      expect(reasons(plan)[0], from).to.match(/hostNetwork/).and.to.match(/node/);
      expect(plan.unprobeable[0]!.decideBy, from).to.match(/ephemeral: true/);
      const [r] = judgeBy(plan, () => 'refused');
      expect(r!.status, from).to.equal('inconclusive');
    }
  });

  it('a selector matching hostNetwork and pod-network pods probes the latter and says the rest is not covered', () => {
    const plan = buildPlan([oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: agent}}}, to: ${DB}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [agent('agent-0', true), agent('agent-1', false), db()] }));
    expect(plan.sources).to.have.length(1);
    expect(plan.probes).to.have.length(1);
    expect(reasons(plan).join(' ')).to.contain('shop/agent-0').and.to.match(/hostNetwork/);
    // Proven for the pod-network pod, not for the node's: the case is not a plain pass.
    expect(judgeBy(plan, () => 'refused')[0]!.status).to.equal('inconclusive');
  });

  it('from inside a hostNetwork pod (ephemeral: true) the probe does leave from the host network', () => {
    const plan = buildPlan([oneCase(`{from: {namespace: shop, workload: {kind: Pod, name: agent-0}, ephemeral: true}, to: ${DB}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [agent('agent-0', true), db()] }));
    expect(plan.sources.map((s) => s.inPod)).to.deep.equal(['agent-0']);
    expect(plan.unprobeable).to.deep.equal([]);
  });
});
