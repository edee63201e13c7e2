// The plan, from the spec (issue 4, Resolve and Plan): one probe pod per distinct source identity
// (namespace + labels without per-replica labels + service account), targets among Running and Ready
// pods, named ports through each pod's container ports, Services by ClusterIP and by each backend,
// echo servers standing in for missing targets, and every unprobeable part said with a reason.
import { expect } from 'chai';
import { identityKey, makeIdentity } from '../../../src/plan/identity.ts';
import { standInLabels } from '../../../src/model/selectors.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { Plan } from '../../../src/plan/types.ts';
import { casesOf, deployment, oneCase, pod, service, snapshot } from '../support/world.ts';

const reasonsOf = (plan: Plan, caseId?: string) => plan.unprobeable.filter((u) => !caseId || u.caseId === caseId).map((u) => u.reason);
const WEB = `{namespace: shop, podSelector: {matchLabels: {app: web}}}`;
const DB = `{namespace: shop, podSelector: {matchLabels: {app: db}}}`;

describe('identity', () => {
  it('is namespace + labels (in any order, without per-replica labels) + service account', () => {
    const a = identityKey('shop', { tier: 'front', app: 'web', 'pod-template-hash': '1' }, 'default');
    expect(identityKey('shop', { app: 'web', tier: 'front', 'controller-revision-hash': '2' }, 'default')).to.equal(a);
    expect(identityKey('other', { app: 'web', tier: 'front' }, 'default')).to.not.equal(a);
    expect(identityKey('shop', { app: 'web', tier: 'front' }, 'web-sa')).to.not.equal(a);
    expect(identityKey('shop', { app: 'web' }, 'default')).to.not.equal(a);
    expect(identityKey('shop', { app: 'web', tier: 'back' }, 'default')).to.not.equal(a);
    const id = makeIdentity('shop', { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0' }, 'web-sa', 'shop/web-0');
    expect(id).to.deep.equal({
      key: identityKey('shop', { app: 'web' }, 'web-sa'),
      namespace: 'shop',
      labels: { app: 'web' },
      serviceAccount: 'web-sa',
      standsFor: 'shop/web-0',
      droppedLabels: { 'statefulset.kubernetes.io/pod-name': 'web-0' },
    });
  });
});

describe('plan: source identities', () => {
  it('1,000 cases from 20 identities (3 replicas each) to 50 targets need exactly 20 probe pods', () => {
    const pods = [];
    const endpoints: string[] = [];
    for (let i = 0; i < 20; i++) {
      endpoints.push(`    s${i}: {namespace: apps, podSelector: {matchLabels: {app: src${i}}}}`);
      for (let r = 0; r < 3; r++) pods.push(pod('apps', `src${i}-${r}`, { app: `src${i}`, tier: 'front', 'pod-template-hash': `h${r}` }));
    }
    for (let i = 0; i < 50; i++) {
      endpoints.push(`    t${i}: {namespace: apps, podSelector: {matchLabels: {app: tgt${i}}}}`);
      for (let r = 0; r < 2; r++) pods.push(pod('apps', `tgt${i}-${r}`, { app: `tgt${i}`, 'pod-template-hash': `x${r}` }));
    }
    const from = `[${Array.from({ length: 20 }, (_, i) => `s${i}`).join(', ')}]`;
    const to = (a: number, b: number) => `[${Array.from({ length: b - a }, (_, i) => `t${a + i}`).join(', ')}]`;
    const cases = casesOf(`  endpoints:\n${endpoints.join('\n')}\n  expectations:\n    - {name: allowed, from: ${from}, to: ${to(0, 25)}, port: 8080, expect: allow}\n    - {name: denied, from: ${from}, to: ${to(25, 50)}, port: 8080, expect: deny}\n`);
    expect(cases).to.have.length(1000);

    const plan = buildPlan(cases, snapshot(['apps'], { pods }));
    expect(plan.sources).to.have.length(20);
    expect(plan.probes).to.have.length(1000);
    expect(plan.unprobeable).to.deep.equal([]);
    expect(new Set(plan.probes.map((p) => p.id)).size).to.equal(1000);
    const keys = new Set(plan.sources.map((s) => s.key));
    expect(plan.probes.every((p) => keys.has(p.sourceKey))).to.equal(true);
    for (const s of plan.sources) {
      expect(s.namespace).to.equal('apps');
      expect(s.serviceAccount).to.equal('default');
      expect(s.labels).to.have.all.keys('app', 'tier');
    }
  });

  it('ignores every per-replica label, so replicas of one workload are one identity', () => {
    const perReplica = ['pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index'];
    const pods = [0, 1, 2].map((r) => pod('shop', `web-${r}`, { app: 'web', ...Object.fromEntries(perReplica.map((k) => [k, `${k}-${r}`])) }));
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {host: 192.0.2.1}, port: 80, expect: deny}`)], snapshot(['shop'], { pods }));
    expect(plan.sources).to.have.length(1);
    expect(plan.sources[0]!.labels).to.deep.equal({ app: 'web' });
  });

  it('a different service account, label value or namespace is a different identity', () => {
    const pods = [
      pod('shop', 'web-a', { app: 'web', role: 'a' }),
      pod('shop', 'web-b', { app: 'web', role: 'b' }),
      pod('shop', 'web-c', { app: 'web', role: 'a' }, { serviceAccount: 'web-sa' }),
      pod('shop', 'web-d', { app: 'web', role: 'a' }),
    ];
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {host: 192.0.2.1}, port: 80, expect: deny}`)], snapshot(['shop'], { pods }));
    expect(plan.sources.map((s) => `${s.labels.role}/${s.serviceAccount}`).sort()).to.deep.equal(['a/default', 'a/web-sa', 'b/default']);
    // Every identity sends the probe: a policy may treat each one differently.
    expect(plan.probes).to.have.length(3);
  });

  it('serviceAccount on a source peer keeps only pods running as it', () => {
    const pods = [pod('shop', 'web-a', { app: 'web' }), pod('shop', 'web-b', { app: 'web' }, { serviceAccount: 'web-sa' })];
    const c = oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web}}, serviceAccount: web-sa}, to: {host: 192.0.2.1}, port: 80, expect: deny}`);
    const plan = buildPlan([c], snapshot(['shop'], { pods, serviceAccounts: ['shop/web-sa'] }));
    expect(plan.sources.map((s) => s.serviceAccount)).to.deep.equal(['web-sa']);
  });

  it('finished pods and netprobe\'s own pods do not stand for a source', () => {
    const pods = [
      pod('shop', 'web-done', { app: 'web' }, { phase: 'Succeeded', ready: false }),
      pod('shop', 'netprobe-x-s0', { app: 'web' }, { netprobeRole: 'source' }),
    ];
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {host: 192.0.2.1}, port: 80, expect: deny}`)], snapshot(['shop'], { pods }));
    expect(plan.sources).to.deep.equal([]);
    expect(plan.probes).to.deep.equal([]);
    expect(reasonsOf(plan)).to.have.length(1);
    expect(reasonsOf(plan)[0]).to.match(/^source: no pod in shop matches app=web/);
  });

  it('a synthetic source carries exactly the selector\'s labels and the service account', () => {
    const c = oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web, tier: front}}, serviceAccount: web-sa, synthetic: true}, to: {host: 192.0.2.1}, port: 80, expect: deny}`);
    const plan = buildPlan([c], snapshot(['shop'], { serviceAccounts: ['shop/web-sa'] }));
    expect(plan.sources).to.have.length(1);
    expect(plan.sources[0]).to.include({ namespace: 'shop', serviceAccount: 'web-sa' });
    expect(plan.sources[0]!.labels).to.deep.equal({ app: 'web', tier: 'front' });
    expect(plan.probes).to.have.length(1);
  });

  it('a workload source stands in with its pod template labels and service account', () => {
    const c = oneCase(`{from: {namespace: shop, workload: {kind: Deployment, name: web}}, to: {host: 192.0.2.1}, port: 80, expect: deny}`);
    const w = deployment('shop', 'web', { app: 'web', 'pod-template-hash': 'abc' }, 'web-sa');
    const plan = buildPlan([c], snapshot(['shop'], { workloads: [w], serviceAccounts: ['shop/web-sa'] }));
    expect(plan.sources).to.have.length(1);
    expect(plan.sources[0]!.labels).to.deep.equal({ app: 'web' });
    expect(plan.sources[0]!.serviceAccount).to.equal('web-sa');
    expect(plan.sources[0]!.standsFor).to.contain('shop/web');
  });

  it('several cases from the same peer resolve to one source', () => {
    const cases = casesOf(`  expectations:\n    - {name: a, from: ${WEB}, to: {host: 192.0.2.1}, ports: [80, 443, 8080], expect: deny}\n    - {name: b, from: ${WEB}, to: {host: 192.0.2.2}, port: 80, expect: allow}\n`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [pod('shop', 'web-0', { app: 'web' })] }));
    expect(plan.sources).to.have.length(1);
    expect(plan.probes).to.have.length(4);
  });
});

describe('plan: what cannot be probed says why, and starts nothing for it', () => {
  it('a source selector matching no pod, without synthetic', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {host: 192.0.2.1}, port: 80, expect: deny}`)], snapshot(['shop']));
    expect(plan.sources).to.deep.equal([]);
    expect(reasonsOf(plan)).to.have.length(1);
    expect(reasonsOf(plan)[0]).to.match(/^source: no pod in shop matches app=web/);
    expect(plan.unprobeable[0]!.decideBy).to.match(/synthetic: true/);
  });

  const target = `to: {host: 192.0.2.1}, port: 80, expect: deny`;
  const cases: [string, string, RegExp][] = [
    ['source namespace missing', `{from: {namespace: gone, podSelector: {matchLabels: {app: web}}}, ${target}}`, /^source: namespace gone does not exist$/],
    ['synthetic with a missing service account', `{from: {namespace: shop, podSelector: {matchLabels: {app: web}}, serviceAccount: nobody, synthetic: true}, ${target}}`, /^source: service account shop\/nobody does not exist$/],
    ['a missing Pod', `{from: {namespace: shop, workload: {kind: Pod, name: web-0}}, ${target}}`, /^source: pod shop\/web-0 does not exist$/],
    ['a missing Deployment', `{from: {namespace: shop, workload: {kind: Deployment, name: web}}, ${target}}`, /^source: Deployment shop\/web does not exist$/],
    ['a workload whose service account is missing', `{from: {namespace: shop, workload: {kind: Deployment, name: api}}, ${target}}`, /^source: service account shop\/api-sa does not exist$/],
  ];
  cases.push(['--synthesize-missing with a selector no labels satisfy', `{from: {namespace: shop, podSelector: {matchLabels: {app: web}, matchExpressions: [{key: app, operator: DoesNotExist}]}}, ${target}}`, /^source: .*no labels satisfy/]);
  for (const [what, text, reason] of cases) {
    it(what, () => {
      const c = oneCase(text);
      const plan = buildPlan([c], snapshot(['shop'], { workloads: [deployment('shop', 'api', { app: 'api' }, 'api-sa')] }), { synthesizeMissing: true });
      expect(plan.probes).to.deep.equal([]);
      expect(plan.sources).to.deep.equal([]);
      expect(plan.unprobeable).to.have.length(1);
      expect(plan.unprobeable[0]!.caseId).to.equal(c.id);
      expect(plan.unprobeable[0]!.reason).to.match(reason);
    });
  }

  it('a destination namespace that does not exist', () => {
    const c = oneCase(`{from: ${WEB}, to: {namespace: gone, podSelector: {}}, port: 80, expect: deny}`);
    const plan = buildPlan([c], snapshot(['shop'], { pods: [pod('shop', 'web-0', { app: 'web' })] }));
    expect(plan.probes).to.deep.equal([]);
    expect(reasonsOf(plan)).to.deep.equal(['destination: namespace gone does not exist']);
  });

  it('a destination selector matching no pod (without synthetic) is not probed and says so', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [pod('shop', 'web-0', { app: 'web' })] }));
    expect(plan.probes).to.deep.equal([]);
    expect(plan.servers).to.deep.equal([]);
    expect(reasonsOf(plan)).to.have.length(1);
    expect(reasonsOf(plan)[0]).to.match(/^destination: no pod in shop matches app=db/);
  });

  it('destination pods that are not Running and Ready (or have no IP) are not probed', () => {
    const pods = [
      pod('shop', 'web-0', { app: 'web' }),
      pod('shop', 'db-pending', { app: 'db' }, { phase: 'Pending', ready: false }),
      pod('shop', 'db-unready', { app: 'db', v: '2' }, { ready: false }),
      pod('shop', 'db-noip', { app: 'db', v: '3' }, { ips: [] }),
    ];
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods }));
    expect(plan.probes).to.deep.equal([]);
    expect(reasonsOf(plan)[0]).to.match(/no Running and Ready pod/);
  });

  it('a missing destination Pod, workload or Service', () => {
    const web = pod('shop', 'web-0', { app: 'web' });
    for (const [to, reason] of [
      ['{namespace: shop, workload: {kind: Pod, name: db-0}}', 'destination: pod shop/db-0 does not exist'],
      ['{namespace: shop, workload: {kind: StatefulSet, name: db}}', 'destination: StatefulSet shop/db does not exist'],
      ['{namespace: shop, service: db}', 'destination: Service shop/db does not exist'],
    ] as const) {
      const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${to}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [web] }));
      expect(plan.probes, to).to.deep.equal([]);
      expect(reasonsOf(plan), to).to.deep.equal([reason]);
    }
  });

  it('a CIDR wider than one address asks for a host', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {cidr: 192.0.2.0/24}, port: 443, expect: deny}`)], snapshot(['shop'], { pods: [pod('shop', 'web-0', { app: 'web' })] }));
    expect(plan.probes).to.deep.equal([]);
    expect(reasonsOf(plan)[0]).to.match(/more than one address/);
  });
});

describe('plan: destinations', () => {
  const web = () => pod('shop', 'web-0', { app: 'web' });

  it('one target per distinct identity among Ready pods, by pod IP', () => {
    const pods = [
      web(),
      pod('shop', 'db-0', { app: 'db', 'pod-template-hash': 'a' }, { ips: ['10.1.0.1'] }),
      pod('shop', 'db-1', { app: 'db', 'pod-template-hash': 'b' }, { ips: ['10.1.0.2'] }),
      pod('shop', 'db-2', { app: 'db', role: 'replica' }, { ips: ['10.1.0.3'] }),
    ];
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods }));
    expect(plan.probes.map((p) => p.target.host).sort()).to.deep.equal(['10.1.0.1', '10.1.0.3']);
    for (const p of plan.probes) {
      expect(p.target).to.include({ kind: 'tcp', port: 5432, route: 'pod' });
      expect(p.target.aliveKeys).to.deep.equal([`${p.target.host}:5432/tcp`]);
    }
  });

  it('a named port is looked up in each pod\'s own container ports', () => {
    const pods = [
      web(),
      pod('shop', 'db-v1', { app: 'db', v: '1' }, { ips: ['10.1.0.1'], containerPorts: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
      pod('shop', 'db-v2', { app: 'db', v: '2' }, { ips: ['10.1.0.2'], containerPorts: [{ name: 'pg', port: 6432, protocol: 'TCP' }] }),
      pod('shop', 'db-v3', { app: 'db', v: '3' }, { ips: ['10.1.0.3'], containerPorts: [{ name: 'pg', port: 7432, protocol: 'UDP' }] }),
      pod('shop', 'db-v4', { app: 'db', v: '4' }, { ips: ['10.1.0.4'], containerPorts: [{ name: 'other', port: 8432, protocol: 'TCP' }] }),
    ];
    const c = oneCase(`{from: ${WEB}, to: ${DB}, port: pg, expect: allow}`);
    const plan = buildPlan([c], snapshot(['shop'], { pods }));
    expect(plan.probes.map((p) => `${p.target.host}:${p.target.port}`).sort()).to.deep.equal(['10.1.0.1:5432', '10.1.0.2:6432']);
    // Pods that do not define the name (for this protocol) are named in a reason: never silently dropped.
    const reasons = reasonsOf(plan, c.id);
    expect(reasons).to.have.length(2);
    expect(reasons.some((r) => r.includes('shop/db-v3') && r.includes('"pg"'))).to.equal(true);
    expect(reasons.some((r) => r.includes('shop/db-v4') && r.includes('"pg"'))).to.equal(true);
  });

  it('a workload destination probes its Ready pods', () => {
    const w = deployment('shop', 'db', { app: 'db' });
    const pods = [web(), pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.9'] })];
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, workload: {kind: Deployment, name: db}}, port: 5432, expect: allow}`)], snapshot(['shop'], { pods, workloads: [w] }));
    expect(plan.probes.map((p) => p.target.host)).to.deep.equal(['10.1.0.9']);
  });

  it('a kubelet readiness probe on the port counts as proof of life, and only on that port over TCP', () => {
    const pods = [
      web(),
      pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.1'], containerPorts: [{ name: 'pg', port: 5432, protocol: 'TCP' }], readinessPorts: [{ port: 'pg', kind: 'tcpSocket' }] }),
      pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.2'], readinessPorts: [{ port: 8080, kind: 'httpGet' }] }),
    ];
    const cases = casesOf(`  expectations:
    - {name: db, from: ${WEB}, to: ${DB}, ports: [5432, 5433], expect: deny}
    - {name: api, from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: api}}}, ports: [8080, 9090], expect: deny}
    - {name: api-udp, from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: api}}}, port: 8080, protocol: UDP, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods }));
    expect(Object.keys(plan.alive).sort()).to.deep.equal(['10.1.0.1:5432/tcp', '10.1.0.2:8080/tcp']);
    expect(plan.alive['10.1.0.1:5432/tcp']).to.match(/readiness/);
  });

  it('a Service is probed through its ClusterIP and through each backend identity', () => {
    const pods = [
      web(),
      pod('shop', 'db-0', { app: 'db', v: '1' }, { ips: ['10.1.0.1'], containerPorts: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
      pod('shop', 'db-1', { app: 'db', v: '2' }, { ips: ['10.1.0.2'], containerPorts: [{ name: 'pg', port: 6432, protocol: 'TCP' }] }),
      pod('shop', 'db-2', { app: 'db', v: '2' }, { ips: ['10.1.0.3'], containerPorts: [{ name: 'pg', port: 6432, protocol: 'TCP' }] }),
    ];
    const svc = service('shop', 'db', { app: 'db' }, [{ name: 'sql', port: 5432, targetPort: 'pg', protocol: 'TCP' }], '10.96.5.5');
    for (const port of ['5432', 'sql']) {
      const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: ${port}, expect: allow}`)], snapshot(['shop'], { pods, services: [svc] }));
      const routes = plan.probes.map((p) => `${p.target.route} ${p.target.host}:${p.target.port}`);
      expect(routes, port).to.have.members(['pod 10.1.0.1:5432', 'pod 10.1.0.2:6432', 'service 10.96.5.5:5432']);
      const viaService = plan.probes.find((p) => p.target.route === 'service')!;
      // The Service route names every backend pod (a replica probed directly stands for its identity only).
      expect(viaService.target.aliveKeys).to.have.members(['10.1.0.1:5432/tcp', '10.1.0.2:6432/tcp', '10.1.0.3:6432/tcp']);
      expect(plan.unprobeable).to.deep.equal([]);
    }
  });

  it('a headless Service is probed through its backends only', () => {
    const pods = [web(), pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.1'] })];
    const svc = service('shop', 'db', { app: 'db' }, [{ port: 5432, targetPort: 5432, protocol: 'TCP' }], 'None');
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 5432, expect: allow}`)], snapshot(['shop'], { pods, services: [svc] }));
    expect(plan.probes.map((p) => p.target.route)).to.deep.equal(['pod']);
  });

  it('a Service without a Ready backend, or without the port, is not probed and says so', () => {
    const svc = service('shop', 'db', { app: 'db' }, [{ port: 5432, targetPort: 5432, protocol: 'TCP' }]);
    const noBackend = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [web()], services: [svc] }));
    expect(noBackend.probes).to.deep.equal([]);
    expect(reasonsOf(noBackend)).to.deep.equal(['destination: Service shop/db has no Ready backend on port 5432']);
    const headless = { ...svc, clusterIP: 'None' };
    const noHeadlessBackend = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods: [web()], services: [headless] }));
    expect(reasonsOf(noHeadlessBackend)).to.deep.equal(['destination: Service shop/db has no Ready backend on port 5432']);

    const pods = [web(), pod('shop', 'db-0', { app: 'db' })];
    for (const extra of ['port: 5433', 'port: 5432, protocol: UDP', 'port: nope']) {
      const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, ${extra}, expect: deny}`)], snapshot(['shop'], { pods, services: [svc] }));
      expect(plan.probes, extra).to.deep.equal([]);
      expect(reasonsOf(plan), extra).to.have.length(1);
      expect(reasonsOf(plan)[0], extra).to.match(/^destination: Service shop\/db has no (TCP|UDP) port/);
    }
  });

  it('a Service whose named targetPort a backend does not define says which pod', () => {
    const pods = [web(), pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.1'] })];
    const svc = service('shop', 'db', { app: 'db' }, [{ port: 5432, targetPort: 'pg', protocol: 'TCP' }]);
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 5432, expect: deny}`)], snapshot(['shop'], { pods, services: [svc] }));
    expect(plan.probes).to.deep.equal([]);
    expect(reasonsOf(plan).join('\n')).to.contain('shop/db-0').and.to.contain('"pg"');
  });

  it('a host is probed directly and control-probed once per address and port', () => {
    const cases = casesOf(`  expectations:
    - {name: a, from: ${WEB}, to: {host: 203.0.113.10}, port: 443, expect: deny}
    - {name: b, from: {namespace: shop, podSelector: {matchLabels: {app: api}}}, to: {host: 203.0.113.10}, port: 443, expect: allow}
    - {name: c, from: ${WEB}, to: {cidr: 203.0.113.11/32}, port: 53, protocol: UDP, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods: [web(), pod('shop', 'api-0', { app: 'api' })] }));
    expect(plan.probes.map((p) => `${p.caseId} ${p.target.kind} ${p.target.route} ${p.target.host}:${p.target.port}`)).to.deep.equal([
      'a tcp host 203.0.113.10:443',
      'b tcp host 203.0.113.10:443',
      'c udp host 203.0.113.11:53',
    ]);
    expect(plan.controlHosts).to.deep.equal([
      { host: '203.0.113.10', port: 443, l4: 'tcp', aliveKey: '203.0.113.10:443/tcp' },
      { host: '203.0.113.11', port: 53, l4: 'udp', aliveKey: '203.0.113.11:53/udp' },
    ]);
  });

  it('a URL becomes one HTTP probe with its path, query, method, headers and default port', () => {
    const c = oneCase(`{from: ${WEB}, to: {url: "https://api.example.com/v1/items?x=1", method: POST, headers: {X-Token: t}}, expect: allow}`);
    const plan = buildPlan([c], snapshot(['shop'], { pods: [web()] }));
    expect(plan.probes).to.have.length(1);
    expect(plan.probes[0]!.target).to.deep.include({
      kind: 'http',
      host: 'api.example.com',
      port: 443,
      scheme: 'https',
      path: '/v1/items?x=1',
      method: 'POST',
      headers: { 'X-Token': 't' },
      route: 'host',
      aliveKeys: ['api.example.com:443/tcp'],
    });
  });

  it('a URL with an IPv6 literal gives the bare address as host', () => {
    const c = oneCase(`{from: ${WEB}, to: {url: "http://[2001:db8::1]:8080/"}, expect: allow}`);
    const plan = buildPlan([c], snapshot(['shop'], { pods: [web()] }));
    expect(plan.probes[0]!.target.host).to.equal('2001:db8::1');
    expect(plan.probes[0]!.target.aliveKeys).to.deep.equal(['2001:db8::1:8080/tcp']);
  });

  it('HTTP to pods carries method, path and headers; HTTPS defaults to 443', () => {
    const pods = [web(), pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.7'] })];
    const api = `{namespace: shop, podSelector: {matchLabels: {app: api}}}`;
    const cases = casesOf(`  expectations:
    - {name: h, from: ${WEB}, to: ${api}, port: 8080, protocol: HTTP, http: {method: DELETE, path: /admin, expectStatus: 403}, expect: deny}
    - {name: s, from: ${WEB}, to: ${api}, protocol: HTTPS, expect: allow}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods }));
    expect(plan.probes[0]!.target).to.deep.include({ kind: 'http', scheme: 'http', host: '10.1.0.7', port: 8080, method: 'DELETE', path: '/admin' });
    expect(plan.probes[1]!.target).to.deep.include({ kind: 'http', scheme: 'https', port: 443, method: 'GET', path: '/' });
  });

  it('DNS without `to` asks cluster DNS through the kube-dns Service and its backends', () => {
    const coredns = pod('kube-system', 'coredns-0', { 'k8s-app': 'kube-dns' }, { ips: ['10.1.9.9'], containerPorts: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] });
    const kubeDns = service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [
      { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
    ], '10.96.0.10');
    const c = oneCase(`{from: ${WEB}, protocol: DNS, dnsName: db.shop.svc.cluster.local, expect: allow}`);
    const plan = buildPlan([c], snapshot(['shop', 'kube-system'], { pods: [web(), coredns], services: [kubeDns] }));
    expect(plan.probes.map((p) => `${p.target.kind} ${p.target.route} ${p.target.host}:${p.target.port} ${p.target.dnsName}`)).to.have.members([
      'dns pod 10.1.9.9:53 db.shop.svc.cluster.local',
      'dns service 10.96.0.10:53 db.shop.svc.cluster.local',
    ]);
    expect(plan.probes.every((p) => p.target.aliveKeys.every((k) => k.endsWith('/udp')))).to.equal(true);
  });

  it('a port range is capped at maxRangePorts probes per target', () => {
    const pods = [web(), pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.1'] })];
    const cases = casesOf(`  expectations:
    - {name: pods, from: ${WEB}, to: ${DB}, port: 1000-1999, expect: deny}
    - {name: host, from: ${WEB}, to: {host: 192.0.2.1}, port: 1-65535, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop'], { pods }), { maxRangePorts: 10 });
    const ports = (caseId: string) => plan.probes.filter((p) => p.caseId === caseId).map((p) => p.target.port);
    expect(ports('pods')).to.deep.equal([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
    expect(ports('host')).to.have.length(10);
    // The default cap keeps a full range from exploding into 65,535 probes.
    const dflt = buildPlan(cases, snapshot(['shop'], { pods }));
    expect(dflt.probes.filter((p) => p.caseId === 'host')).to.have.length(256);
  });

  it('probes carry the expectation\'s timeout (ms) and attempts', () => {
    const c = oneCase(`{from: ${WEB}, to: {host: 192.0.2.1}, port: 80, timeoutSeconds: 1.5, attempts: 4, expect: deny}`);
    const plan = buildPlan([c], snapshot(['shop'], { pods: [web()] }));
    expect(plan.probes[0]).to.include({ timeoutMs: 1500, attempts: 4, caseId: c.id });
  });

  it('is pure: the same inputs give the same plan', () => {
    const pods = [web(), pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.1'] }), pod('shop', 'db-1', { app: 'db', v: '2' }, { ips: ['10.1.0.2'] })];
    const cases = casesOf(`  expectations:\n    - {name: x, from: ${WEB}, to: [${DB}, {host: 192.0.2.1}], ports: [80, 81], expect: deny}\n`);
    const snap = snapshot(['shop'], { pods });
    expect(buildPlan(cases, snap)).to.deep.equal(buildPlan(cases, snap));
  });
});

describe('plan: synthetic echo servers', () => {
  const web = () => pod('shop', 'web-0', { app: 'web' });
  const ghost = (extra = '') => `{namespace: shop, podSelector: {matchLabels: {app: ghost}}${extra}}`;

  it('a synthetic target with no Ready pod gets an echo server with its labels, proven alive', () => {
    const c = oneCase(`{from: ${WEB}, to: ${ghost(', synthetic: true')}, port: 8080, expect: deny}`);
    const plan = buildPlan([c], snapshot(['shop'], { pods: [web()] }));
    expect(plan.servers).to.have.length(1);
    expect(plan.servers[0]).to.deep.include({ namespace: 'shop', labels: { app: 'ghost' }, ports: [{ port: 8080, protocol: 'tcp' }] });
    expect(plan.probes).to.have.length(1);
    const t = plan.probes[0]!.target;
    expect(t.route).to.equal('server');
    expect(t.serverKey).to.equal(plan.servers[0]!.key);
    expect(t.host).to.equal(undefined);
    expect(plan.alive[t.aliveKeys[0]!]).to.match(/echo server/);
    expect(plan.unprobeable).to.deep.equal([]);
  });

  it('--synthesize-missing does the same for every pod selector', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${ghost()}, port: 8080, expect: deny}`)], snapshot(['shop'], { pods: [web()] }), { synthesizeMissing: true });
    expect(plan.servers).to.have.length(1);
    expect(plan.probes.map((p) => p.target.route)).to.deep.equal(['server']);
  });

  it('one server per namespace and labels, with the ports of every case merged', () => {
    const cases = casesOf(`  expectations:
    - {name: a, from: ${WEB}, to: ${ghost(', synthetic: true')}, ports: [8080, 9090], expect: deny}
    - {name: b, from: ${WEB}, to: ${ghost(', synthetic: true')}, ports: [8080, 53], protocol: UDP, expect: deny}
    - {name: c, from: ${WEB}, to: ${ghost(', synthetic: true')}, port: 9090, expect: allow}
    - {name: d, from: ${WEB}, to: {namespace: other, podSelector: {matchLabels: {app: ghost}}, synthetic: true}, port: 8080, expect: deny}
`);
    const plan = buildPlan(cases, snapshot(['shop', 'other'], { pods: [web()] }));
    expect(plan.servers).to.have.length(2);
    const shop = plan.servers.find((s) => s.namespace === 'shop')!;
    expect(shop.ports).to.have.deep.members([
      { port: 8080, protocol: 'tcp' },
      { port: 9090, protocol: 'tcp' },
      { port: 8080, protocol: 'udp' },
      { port: 53, protocol: 'udp' },
    ]);
    expect(plan.probes).to.have.length(6);
  });

  it('a Ready pod that matches is probed instead of a stand-in', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${ghost(', synthetic: true')}, port: 8080, expect: deny}`)], snapshot(['shop'], { pods: [web(), pod('shop', 'ghost-0', { app: 'ghost' })] }));
    expect(plan.servers).to.deep.equal([]);
    expect(plan.probes.map((p) => p.target.route)).to.deep.equal(['pod']);
  });

  it('a selector with expressions stands in with labels that satisfy it, as the stand-in of predict does', () => {
    const exprs = `{namespace: shop, podSelector: {matchExpressions: [{key: ghost, operator: Exists}, {key: tier, operator: In, values: [back, front]}, {key: canary, operator: DoesNotExist}]}}`;
    const plan = buildPlan([oneCase(`{from: ${exprs}, to: ${exprs}, port: 8080, expect: deny}`)], snapshot(['shop']), { synthesizeMissing: true });
    const labels = { ghost: 'netprobe', tier: 'back' };
    expect(plan.servers.map((x) => x.labels)).to.deep.equal([labels]);
    expect(plan.sources.map((x) => x.labels)).to.deep.equal([labels]);
    expect(plan.probes).to.have.length(1);
    expect(standInLabels({ matchExpressions: [{ key: 'ghost', operator: 'Exists' }, { key: 'tier', operator: 'In', values: ['back', 'front'] }, { key: 'canary', operator: 'DoesNotExist' }] })).to.deep.equal(labels);
  });

  it('a stand-in cannot be made for a named port, a selector no labels satisfy, or SCTP', () => {
    const exprs = `{namespace: shop, podSelector: {matchLabels: {ghost: x}, matchExpressions: [{key: ghost, operator: NotIn, values: [x]}]}}`;
    for (const [to, extra] of [
      [ghost(', synthetic: true'), 'port: http'],
      [exprs, 'port: 8080'],
      [ghost(', synthetic: true'), 'port: 3868, protocol: SCTP'],
    ] as const) {
      const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${to}, ${extra}, expect: deny}`)], snapshot(['shop'], { pods: [web()] }), { synthesizeMissing: true });
      expect(plan.servers, extra).to.deep.equal([]);
      expect(plan.probes, extra).to.deep.equal([]);
      expect(plan.alive, extra).to.deep.equal({});
      expect(reasonsOf(plan), extra).to.have.length(1);
    }
  });
});
