// Meshes (issue 10): an Istio or Linkerd sidecar, or Istio's ambient ztunnel, completes the TCP handshake
// for any destination. Detected from pod specs as the meshes inject them (written here from how they
// look, through toPod like a live read), probe pods opt out, and a handshake with a proxy on the path is
// never proof: only an application's answer is. No mesh runs on the local cluster: these are the proof.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { toPod } from '../../../src/cluster/read.ts';
import type { ClusterSnapshot, LivePod } from '../../../src/model/cluster.ts';
import { meshOnPod } from '../../../src/plan/mesh.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import type { SourceIdentity } from '../../../src/plan/types.ts';
import { probePod, serverPod, type PodOptions } from '../../../src/probe/podspec.ts';
import { casesOf, oneCase, pod, service, snapshot } from '../support/world.ts';
import { judgeBy } from '../support/judge.ts';

const RUNNING: V1Pod['status'] = { phase: 'Running', podIP: '10.1.0.1', conditions: [{ type: 'Ready', status: 'True' }] };
const APP = { name: 'app', image: 'shop/db:1', ports: [{ containerPort: 5432, name: 'pg' }] };

/** A pod as the API returns it once Istio's injector has added its sidecar (classic: istio-init + istio-proxy). */
function istioSidecarPod(): V1Pod {
  return {
    metadata: {
      namespace: 'shop', name: 'db-0',
      labels: { app: 'db', 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': 'db' },
      annotations: { 'sidecar.istio.io/status': '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy"],"revision":"default"}' },
    },
    spec: {
      initContainers: [{ name: 'istio-init', image: 'istio/proxyv2:1.24.0', args: ['istio-iptables', '-p', '15001', '-z', '15006'] }],
      containers: [APP, { name: 'istio-proxy', image: 'istio/proxyv2:1.24.0', args: ['proxy', 'sidecar'], ports: [{ containerPort: 15090, name: 'http-envoy-prom' }] }],
    },
    status: RUNNING,
  };
}

/** Istio with native sidecars: the proxy is an init container that keeps running (restartPolicy Always). */
function istioNativeSidecarPod(): V1Pod {
  return {
    metadata: { namespace: 'shop', name: 'db-0', labels: { app: 'db' } },
    spec: { initContainers: [{ name: 'istio-proxy', image: 'istio/proxyv2:1.24.0', restartPolicy: 'Always' }], containers: [APP] },
    status: RUNNING,
  };
}

/** Linkerd's injector puts linkerd-init first and the proxy before the app. */
function linkerdPod(): V1Pod {
  return {
    metadata: {
      namespace: 'shop', name: 'db-0',
      labels: { app: 'db', 'linkerd.io/control-plane-ns': 'linkerd', 'linkerd.io/proxy-deployment': 'db' },
      annotations: { 'linkerd.io/created-by': 'linkerd/proxy-injector stable-2.14.10', 'linkerd.io/proxy-version': 'stable-2.14.10' },
    },
    spec: {
      initContainers: [{ name: 'linkerd-init', image: 'cr.l5d.io/linkerd/proxy-init:v2.2.3' }],
      containers: [{ name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:stable-2.14.10', ports: [{ containerPort: 4143, name: 'linkerd-proxy' }] }, APP],
    },
    status: RUNNING,
  };
}

function plainPod(labels: Record<string, string> = { app: 'db' }, annotations: Record<string, string> = {}): V1Pod {
  return { metadata: { namespace: 'shop', name: 'db-0', labels, annotations }, spec: { containers: [APP] }, status: RUNNING };
}

const ns = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({ name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', ...labels }, annotations });

describe('mesh detection, from pod specs as the meshes inject them', () => {
  const cases: [string, V1Pod, ReturnType<typeof ns>, string | undefined][] = [
    ['Istio sidecar', istioSidecarPod(), ns(), 'Istio sidecar (container istio-proxy)'],
    ['Istio native sidecar', istioNativeSidecarPod(), ns(), 'Istio sidecar (container istio-proxy)'],
    ['Istio status annotation alone', plainPod({ app: 'db' }, { 'sidecar.istio.io/status': '{}' }), ns(), 'Istio sidecar (annotation sidecar.istio.io/status)'],
    ['Linkerd proxy', linkerdPod(), ns(), 'Linkerd sidecar (container linkerd-proxy)'],
    ['namespace istio-injection=enabled', plainPod(), ns({ 'istio-injection': 'enabled' }), 'Istio sidecar (namespace shop label istio-injection=enabled)'],
    ['namespace istio.io/rev', plainPod(), ns({ 'istio.io/rev': 'canary' }), 'Istio sidecar (namespace shop label istio.io/rev=canary)'],
    ['pod istio.io/rev', plainPod({ app: 'db', 'istio.io/rev': '1-24' }), ns(), 'Istio sidecar (pod label istio.io/rev=1-24)'],
    ['namespace ambient', plainPod(), ns({ 'istio.io/dataplane-mode': 'ambient' }), 'Istio ambient ztunnel (namespace shop label istio.io/dataplane-mode=ambient)'],
    ['pod ambient', plainPod({ app: 'db', 'istio.io/dataplane-mode': 'ambient' }), ns(), 'Istio ambient ztunnel (pod label istio.io/dataplane-mode=ambient)'],
    ['ambient redirection annotation', plainPod({ app: 'db' }, { 'ambient.istio.io/redirection': 'enabled' }), ns(), 'Istio ambient ztunnel (annotation ambient.istio.io/redirection=enabled)'],
    ['namespace linkerd.io/inject', plainPod(), ns({}, { 'linkerd.io/inject': 'enabled' }), 'Linkerd sidecar (namespace shop annotation linkerd.io/inject=enabled)'],
    ['pod linkerd.io/inject', plainPod({ app: 'db' }, { 'linkerd.io/inject': 'enabled' }), ns(), 'Linkerd sidecar (pod annotation linkerd.io/inject=enabled)'],
    ['no mesh', plainPod(), ns(), undefined],
    ['opted out by label in an injected namespace', plainPod({ app: 'db', 'sidecar.istio.io/inject': 'false' }), ns({ 'istio-injection': 'enabled' }), undefined],
    ['opted out by annotation in an injected namespace', plainPod({ app: 'db' }, { 'sidecar.istio.io/inject': 'false' }), ns({ 'istio-injection': 'enabled' }), undefined],
    ['out of ambient', plainPod({ app: 'db', 'istio.io/dataplane-mode': 'none' }), ns({ 'istio.io/dataplane-mode': 'ambient' }), undefined],
    ['Linkerd disabled on the pod', plainPod({ app: 'db' }, { 'linkerd.io/inject': 'disabled' }), ns({}, { 'linkerd.io/inject': 'enabled' }), undefined],
  ];
  for (const [what, v1, namespace, want] of cases) {
    it(`${what}: ${want ?? 'none'}`, async () => {
      const { describeMesh } = await import('../../../src/plan/mesh.ts');
      const m = meshOnPod(toPod(v1), namespace);
      expect(m ? describeMesh(m) : undefined).to.equal(want);
    });
  }
});

const OPTS: PodOptions = {
  runId: 'r1', probeImage: 'probe:1', echoImage: 'echo:1', deadlineSeconds: 600, imagePullSecrets: [], extraLabels: {}, annotations: {}, nodeSelector: {}, tolerations: [],
};

describe('netprobe\'s own pods opt out of every mesh', () => {
  const source: SourceIdentity = { key: 'k', namespace: 'shop', labels: { app: 'web' }, serviceAccount: 'default', standsFor: 'shop/web' };
  for (const [what, p] of [
    ['probe pod', probePod('p', source, OPTS)],
    ['echo server', serverPod('e', { key: 'k', namespace: 'shop', labels: { app: 'db' }, ports: [{ port: 5432, protocol: 'tcp' }], standsFor: 'db' }, OPTS)],
  ] as const) {
    it(`${what}: Istio (label and annotation), ambient and Linkerd opt-outs`, () => {
      expect(p.metadata!.labels).to.include({ 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none' });
      expect(p.metadata!.annotations).to.include({ 'sidecar.istio.io/inject': 'false', 'linkerd.io/inject': 'disabled' });
      // And what netprobe would read back from such a pod shows no mesh, even in an injected, ambient namespace.
      const info = toPod({ ...p, status: RUNNING });
      expect(meshOnPod(info, ns({ 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' }, { 'linkerd.io/inject': 'enabled' }))).to.equal(undefined);
    });
  }

  it('the opt-out wins over a source label that asks for injection (an injected probe pod proves nothing)', () => {
    const p = probePod('p', { ...source, labels: { app: 'web', 'sidecar.istio.io/inject': 'true', 'istio.io/dataplane-mode': 'ambient' } }, OPTS);
    expect(p.metadata!.labels).to.include({ app: 'web', 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none' });
  });
});

describe('plan: where a mesh sits on the path', () => {
  const WEB = `{namespace: shop, podSelector: {matchLabels: {app: web}}}`;
  const web = () => pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.100'] });
  const meshedDb = (): LivePod => ({ ...toPod(istioSidecarPod()), ips: ['10.1.0.1'], readinessPorts: [{ port: 5432, kind: 'tcpSocket' }] });
  const world = (extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({ ...snapshot(['shop'], { pods: [web(), meshedDb()] }), ...extra });

  it('a target pod with a sidecar, and a Service with such a backend, carry the mesh', () => {
    const svc = service('shop', 'db', { app: 'db' }, [{ port: 5432, targetPort: 5432, protocol: 'TCP' }]);
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, service: db}, port: 5432, expect: allow}`)], world({ services: [svc] }));
    expect(plan.probes.map((p) => [p.target.route, p.target.mesh?.signal])).to.deep.equal([['pod', 'container istio-proxy'], ['service', 'container istio-proxy']]);
  });

  it('an echo server or an outside host carries none', () => {
    const cases = casesOf(`  expectations:
    - {name: s, from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: ghost}}, synthetic: true}, port: 80, expect: allow}
    - {name: h, from: ${WEB}, to: {host: 203.0.113.10}, port: 443, expect: allow}
`);
    const s = world();
    s.namespaces[0] = { ...s.namespaces[0]!, labels: { ...s.namespaces[0]!.labels, 'istio-injection': 'enabled' } };
    const plan = buildPlan(cases, s);
    expect(plan.probes.map((p) => p.target.mesh)).to.deep.equal([undefined, undefined]);
  });

  it('a source probed from inside an injected pod (ephemeral) carries its mesh; a probe pod does not', () => {
    const s = world();
    const meshedWeb = { ...toPod({ ...istioSidecarPod(), metadata: { ...istioSidecarPod().metadata, name: 'web-1', labels: { app: 'web2' } } }), ips: ['10.1.0.101'] };
    s.pods.push(meshedWeb);
    const inside = buildPlan([oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web2}}, ephemeral: true}, to: {host: 203.0.113.10}, port: 443, expect: allow}`)], s);
    expect(inside.sources[0]!.mesh?.name).to.equal('Istio');
    const probePodPlan = buildPlan([oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web2}}}, to: {host: 203.0.113.10}, port: 443, expect: allow}`)], s);
    expect(probePodPlan.sources[0]!.mesh).to.equal(undefined);
  });
});

describe('judge: a handshake with a mesh proxy on the path is not proof', () => {
  const WEB = `{namespace: shop, podSelector: {matchLabels: {app: web}}}`;
  const DB = `{namespace: shop, podSelector: {matchLabels: {app: db}}}`;
  const web = () => pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.100'] });
  const meshedDb = (ready = false): LivePod => ({ ...toPod(linkerdPod()), ips: ['10.1.0.1'], readinessPorts: ready ? [{ port: 5432, kind: 'tcpSocket' }] : [] });
  const world = () => snapshot(['shop'], { pods: [web(), meshedDb()] });

  it('TCP connected to a target behind a sidecar: inconclusive for allow and deny, and says what decides it', () => {
    for (const word of ['allow', 'deny']) {
      const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: 5432, expect: ${word}}`)], world());
      const [r] = judgeBy(plan, () => 'connected');
      expect(r, word).to.include({ status: 'inconclusive', observed: 'unknown' });
      expect(r!.detail).to.contain('Linkerd sidecar (container linkerd-proxy)').and.to.match(/handshake for any destination/);
      expect(r!.decideBy).to.match(/protocol HTTP/);
    }
  });

  it('such a connection does not vouch "alive" for a deny from another source', () => {
    const cases = casesOf(`  expectations:
    - {name: a, from: ${WEB}, to: ${DB}, port: 5432, expect: allow}
    - {name: d, from: {namespace: shop, podSelector: {matchLabels: {app: api}}}, to: ${DB}, port: 5432, expect: deny}
`);
    const s = world();
    s.pods.push(pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.102'] }));
    const plan = buildPlan(cases, s);
    const results = judgeBy(plan, (p) => (p.caseId === plan.cases[0]!.id ? 'connected' : 'timeout'));
    expect(results[1]!.status).to.equal('inconclusive');
    expect(results[1]!.detail).to.match(/nothing shows the target is alive/);
  });

  it('an application answer decides it: an HTTP status from the app passes, a proxy-style 5xx does not', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: 5432, protocol: HTTP, expect: allow}`)], world());
    expect(judgeBy(plan, () => ['connected', { httpStatus: 200 }])[0]!.status).to.equal('pass');
    const proxied = judgeBy(plan, () => ['connected', { httpStatus: 503 }])[0]!;
    expect(proxied.status).to.equal('inconclusive');
    expect(proxied.detail).to.match(/proxy/);
    const deny = buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: 5432, protocol: HTTP, expect: deny}`)], world());
    expect(judgeBy(deny, () => ['connected', { httpStatus: 200 }])[0]!.status).to.equal('leak');
  });

  it('a deny that times out behind a sidecar still needs the target alive, and a readiness probe still shows it', () => {
    const s = snapshot(['shop'], { pods: [web(), meshedDb(true)] });
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: ${DB}, port: 5432, expect: deny}`)], s);
    expect(judgeBy(plan, () => 'timeout')[0]!.status).to.equal('pass');
  });

  it('from inside an injected pod: TCP and DNS answers may be the sidecar\'s own; an echo server\'s HTTP answer is not', () => {
    const s = world();
    s.pods.push({ ...toPod({ ...istioSidecarPod(), metadata: { ...istioSidecarPod().metadata, name: 'web-1', labels: { app: 'web2' } } }), ips: ['10.1.0.101'] });
    s.clusterDns = service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [{ port: 53, targetPort: 53, protocol: 'UDP' }], '10.96.0.10');
    const from = `{namespace: shop, podSelector: {matchLabels: {app: web2}}, ephemeral: true}`;
    const cases = casesOf(`  expectations:
    - {name: tcp, from: ${from}, to: {host: 203.0.113.10}, port: 443, expect: allow}
    - {name: dns, from: ${from}, protocol: DNS, expect: allow}
    - {name: echo, from: ${from}, to: {namespace: shop, podSelector: {matchLabels: {app: ghost}}, synthetic: true}, port: 8080, protocol: HTTP, expect: allow}
`);
    const plan = buildPlan(cases, s);
    const results = judgeBy(plan, (p) => (p.target.kind === 'http' ? ['connected', { httpStatus: 200 }] : 'connected'));
    expect(results.map((r) => `${r.name} ${r.status}`)).to.deep.equal(['tcp inconclusive', 'dns inconclusive', 'echo pass']);
    expect(results[0]!.detail).to.contain('Istio sidecar (container istio-proxy) on the source');
  });
});

describe('judge: a sidecar\'s answers do not show that the source\'s network works', () => {
  it('a timeout from an injected source whose only "answers" were its sidecar\'s is inconclusive', async () => {
    const { judge } = await import('../../../src/verdict/judge.ts');
    const s = snapshot(['shop'], { pods: [pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.1'], readinessPorts: [{ port: 5432, kind: 'tcpSocket' }] })] });
    s.pods.push({ ...toPod({ ...istioSidecarPod(), metadata: { ...istioSidecarPod().metadata, name: 'web-1', labels: { app: 'web2' } } }), ips: ['10.1.0.101'] });
    const from = `{namespace: shop, podSelector: {matchLabels: {app: web2}}, ephemeral: true}`;
    const plan = buildPlan(casesOf(`  expectations:
    - {name: out, from: ${from}, to: {host: 203.0.113.10}, port: 443, expect: allow}
    - {name: db, from: ${from}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 5432, protocol: UDP, expect: deny}
`), s);
    const observations = new Map(plan.probes.map((p, i) => [p.id, { probeId: p.id, outcome: i === 0 ? ('connected' as const) : ('timeout' as const), detail: '', ms: 1, attempts: 1 }]));
    const results = judge({ plan, observations });
    expect(results[1]!.status).to.equal('inconclusive');
    expect(results[1]!.detail).to.match(/own network may be down/);
  });
});

describe('--dry-run says where a mesh sits on the path', () => {
  it('names the meshed destination and the proxy', async () => {
    const { describePlan } = await import('../../../src/run/run-suites.ts');
    const s = snapshot(['shop'], { pods: [pod('shop', 'web-0', { app: 'web' }), { ...toPod(linkerdPod()), ips: ['10.1.0.1'] }] });
    const plan = buildPlan([oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: deny}`)], s);
    expect(describePlan(plan).join('\n')).to.contain('shop/db-0 (10.1.0.1):5432 sits behind a Linkerd sidecar (container linkerd-proxy): a TCP connect to it proves nothing');
  });
});

describe('route evidence leaves out what a mesh proxy may have answered', () => {
  it('a TCP connect to a meshed target is neither allowed nor denied evidence', async () => {
    const { routeEvidence } = await import('../../../src/verdict/judge.ts');
    const s = snapshot(['shop'], { pods: [pod('shop', 'web-0', { app: 'web' }), { ...toPod(linkerdPod()), ips: ['10.1.0.1'] }] });
    const plan = buildPlan([oneCase(`{from: {namespace: shop, podSelector: {matchLabels: {app: web}}}, to: {namespace: shop, podSelector: {matchLabels: {app: db}}}, port: 5432, expect: deny}`)], s);
    const observations = new Map(plan.probes.map((p) => [p.id, { probeId: p.id, outcome: 'connected' as const, detail: '', ms: 1, attempts: 1 }]));
    expect(routeEvidence(plan, observations).size).to.equal(0);
  });
});
