// Issue 11 on the local cluster: "monitor must not reach web:8080" where web listens on 8080 with no
// readiness probe and no expectation connects to it. Without predictions the deny through web's Service
// is inconclusive (kube-proxy rejects the same way when no backend is ready) and says what would decide
// it; with predictions one control probe from api, an identity the policies allow and already a source
// of the run, connects to web:8080 and decides it; and the probe pods start probing once canaries show
// their rules programmed, not after the fixed settle. Own namespaces (e2e-decide-*), deleted at the end.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Report, Result } from '../../src/verdict/model.ts';
import { clusterBackend, clusterEnv, kubectl, netprobe, startNetprobe, tempFile, type ClusterEnv } from './support.ts';

const ID = randomBytes(3).toString('hex');
const APP = `e2e-decide-${ID}-app`;
const OPS = `e2e-decide-${ID}-ops`;

const RESTRICTED = `securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}`;
const CONTAINER_SECURITY = `securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}`;

function deployment(ns: string, app: string, image: string, env = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${app}, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      ${RESTRICTED}
      containers:
      - name: main
        image: ${image}
        imagePullPolicy: Never
        ${env}
        ${CONTAINER_SECURITY}
`;
}

/** web listens on 8080 with no readiness probe; default-deny ingress in APP, and only api may reach web:8080. */
function fixtures(env: ClusterEnv): string {
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${APP}}\n`,
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${OPS}}\n`,
    deployment(APP, 'web', env.echoImage, 'env: [{name: ECHO_TCP, value: "8080"}]\n        ports: [{containerPort: 8080}]'),
    deployment(APP, 'api', env.probeImage),
    deployment(OPS, 'monitor', env.probeImage),
    `apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${APP}}
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: 8080}]
`,
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ${APP}}
spec: {podSelector: {}, policyTypes: [Ingress]}
`,
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-to-web, namespace: ${APP}}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 8080}]}]
`,
  ].join('---\n');
}

/** api is a source of the run (its DNS), but nothing in the suite connects to web:8080. */
const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: decide}
spec:
  defaults: {timeoutSeconds: 2, attempts: 1}
  endpoints:
    api: {namespace: ${APP}, podSelector: {matchLabels: {app: api}}}
    monitor: {namespace: ${OPS}, podSelector: {matchLabels: {app: monitor}}}
  expectations:
    - {name: api resolves names, from: api, to: {namespace: kube-system, service: kube-dns}, port: 53, protocol: DNS, expect: allow}
    - {name: monitor must not reach web, from: monitor, to: {namespace: ${APP}, workload: {kind: Deployment, name: web}}, port: 8080, expect: deny}
    - {name: monitor must not reach the web Service, from: monitor, to: {namespace: ${APP}, service: web}, port: 8080, expect: deny}
`;

async function runSuite(flag: string, ...more: string[]): Promise<{ code: number; ms: number; results: Map<string, Result> }> {
  const run = await netprobe(['run', tempFile(`decide-${flag}.yaml`, SUITE), '-o', 'json', '--quiet', flag, ...more]);
  const report = JSON.parse(run.stdout) as Report;
  for (const r of report.results) console.log(`      [${flag}] ${r.expectation}: ${r.status} (${r.outcome}) ${r.detail}${r.decideBy ? ` | to decide: ${r.decideBy}` : ''}`);
  return { code: run.code, ms: run.ms, results: new Map(report.results.map((r) => [r.expectation, r])) };
}

describe('e2e: decide more (issue 11): a control probe from an identity the policies allow', function () {
  let withPolicies: Awaited<ReturnType<typeof runSuite>>;
  let without: Awaited<ReturnType<typeof runSuite>>;

  before(async function () {
    this.timeout(400_000);
    const env = clusterEnv(this);
    await kubectl(['apply', '-f', '-'], fixtures(env));
    for (const [ns, app] of [[APP, 'web'], [APP, 'api'], [OPS, 'monitor']] as const) {
      await kubectl(['rollout', 'status', '-n', ns, `deployment/${app}`, '--timeout=180s']);
    }
    without = await runSuite('--no-predict');
    // A fixed settle of 30 s that the canaries make unneeded: the run must end long before it.
    withPolicies = await runSuite('--predict', '--settle', '30');
    console.log(`      [--predict --settle 30] ${withPolicies.ms} ms`);
  });

  after(async function () {
    this.timeout(120_000);
    await kubectl(['delete', 'namespace', APP, OPS, '--wait=false', '--ignore-not-found']);
  });

  it('without predictions, the deny through the Service is inconclusive and names the readiness probe that would decide it', () => {
    const r = without.results.get('monitor must not reach the web Service')!;
    expect(r.status, r.detail).to.equal('inconclusive');
    expect(r.decideBy).to.match(/readiness probe on port 8080/);
    expect(without.code).to.equal(3);
  });

  it('with predictions, every expectation is decided: the denies pass, vouched for by a control probe from api', () => {
    for (const name of ['monitor must not reach web', 'monitor must not reach the web Service']) {
      const r = withPolicies.results.get(name)!;
      expect(r.status, r.detail).to.equal('pass');
      expect(r.detail).to.match(new RegExp(`target alive: a control probe from ${APP}/api-[^,]*, an identity the policies allow, connected`));
      expect(r.decideBy).to.equal(undefined);
    }
    expect(withPolicies.results.get('api resolves names')!.status).to.equal('pass');
    expect(withPolicies.code).to.equal(0);
  });

  it('with predictions, the probe pods\' rules are shown programmed by canaries instead of the fixed settle (30 s here)', () => {
    expect(withPolicies.ms).to.be.below(25_000);
    for (const r of withPolicies.results.values()) expect(r.detail).not.to.contain('not shown programmed');
  });
});

// Rules shown programmed, not assumed: kube-router frozen (SIGSTOP) while the probe pods start, resumed
// 8 s later. Before, a fixed 3 s settle gave wrong verdicts (allowed paths broken, an egress deny passed
// as allowed). Freezing the enforcer disrupts everyone on a shared cluster: this runs only where the
// cluster is this test's alone (CI, or once /tmp/np/cluster-exclusive exists).
const FRZ = `e2e-decide-${ID}-frz`;

function kubeRouterPid(): number {
  // kind: the DaemonSet's kube-router, seen from this machine's pid namespace (its image's entrypoint path)
  if (clusterBackend() === 'kind') return Number(execFileSync('pgrep', ['-o', '-f', '^/usr/local/bin/kube-router ']).toString().trim());
  const file = '/run/netprobe-cluster/pids/kube-router.pid';
  const fromFile = existsSync(file) ? Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0]) : NaN;
  if (Number.isInteger(fromFile) && existsSync(`/proc/${fromFile}`)) return fromFile;
  return Number(execFileSync('pgrep', ['-o', '-f', 'bin/kube-router']).toString().trim());
}

function freezeFixtures(env: ClusterEnv): string {
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${FRZ}}\n`,
    deployment(FRZ, 'web', env.echoImage, 'env: [{name: ECHO_TCP, value: "8080"}]\n        ports: [{containerPort: 8080}]'),
    deployment(FRZ, 'api', env.probeImage),
    deployment(FRZ, 'ledger', env.probeImage),
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ${FRZ}}
spec: {podSelector: {}, policyTypes: [Ingress]}
`,
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-to-web, namespace: ${FRZ}}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 8080}]}]
`,
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ledger-egress-dns-only, namespace: ${FRZ}}
spec:
  podSelector: {matchLabels: {app: ledger}}
  policyTypes: [Egress]
  egress: [{ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}]
`,
  ].join('---\n');
}

function freezeSuite(externalIp: string): string {
  return `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: decide-freeze}
spec:
  defaults: {timeoutSeconds: 2, attempts: 1}
  endpoints:
    api: {namespace: ${FRZ}, podSelector: {matchLabels: {app: api}}}
    ledger: {namespace: ${FRZ}, podSelector: {matchLabels: {app: ledger}}}
    web: {namespace: ${FRZ}, podSelector: {matchLabels: {app: web}}}
  expectations:
    - {name: api may reach web, from: api, to: web, port: 8080, expect: allow}
    - {name: ledger must not reach web, from: ledger, to: web, port: 8080, expect: deny}
    - {name: ledger must not reach the outside host, from: ledger, to: {host: ${externalIp}}, port: 80, expect: deny}
    - {name: api may reach the outside host, from: api, to: {host: ${externalIp}}, port: 80, expect: allow}
`;
}

describe('e2e: decide sooner (issue 11): kube-router frozen while the probe pods start', function () {
  let report: Report;
  let code: number;

  before(async function () {
    this.timeout(400_000);
    const env = clusterEnv(this);
    if (process.env.CI === undefined && !existsSync('/tmp/np/cluster-exclusive')) {
      console.log('      (skipped: freezing kube-router needs the cluster to itself: CI, or /tmp/np/cluster-exclusive)');
      this.skip();
    }
    await kubectl(['apply', '-f', '-'], freezeFixtures(env));
    for (const app of ['web', 'api', 'ledger']) await kubectl(['rollout', 'status', '-n', FRZ, `deployment/${app}`, '--timeout=180s']);
    const pid = kubeRouterPid();
    const run = startNetprobe(['run', tempFile('decide-freeze.yaml', freezeSuite(env.externalIp)), '-o', 'json', '--quiet', '--predict']);
    try {
      // The policies are read first (a second or so): freeze before the probe pods exist, for 8 s.
      await new Promise((r) => setTimeout(r, 500));
      process.kill(pid, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, 8000));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const done = await run.done;
    code = done.code;
    report = JSON.parse(done.stdout) as Report;
    for (const r of report.results) console.log(`      [frozen 8 s] ${r.expectation}: ${r.status} (${r.outcome}) ${r.detail}`);
  });

  after(async function () {
    this.timeout(120_000);
    await kubectl(['delete', 'namespace', FRZ, '--wait=false', '--ignore-not-found']);
  });

  it('no allowed path comes out broken and the egress deny is not passed as allowed: every verdict is right', () => {
    for (const r of report.results) expect(r.status, `${r.expectation}: ${r.detail}`).to.equal('pass');
    expect(code).to.equal(0);
  });

  it('the probe pods waited for their rules instead of probing into unprogrammed ones', () => {
    for (const r of report.results) expect(r.detail).not.to.contain('not shown programmed');
  });
});

// `netprobe isolation` with the same evidence as `run` (issue 11): an isolated namespace whose workloads
// listen with no readiness probe, under the emergency policy. The policies read once give control probes
// from the other namespace's own identity (it may reach its pods) for the egress denies, and canaries
// instead of the fixed settle (30 s here): the isolation is decided, and long before the settle would end.
const ISO = `e2e-decide-${ID}-iso`;
const PEER = `e2e-decide-${ID}-peer`;
const ECHO_8080 = 'env: [{name: ECHO_TCP, value: "8080"}]\n        ports: [{containerPort: 8080}]';

describe('e2e: isolation decides with the policies read (issue 11): control probes, canaries', function () {
  let run: { code: number; ms: number; stderr: string };
  let report: Report;

  before(async function () {
    this.timeout(400_000);
    const env = clusterEnv(this);
    await kubectl(['apply', '-f', '-'], [
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ISO}}\n`,
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${PEER}}\n`,
      deployment(ISO, 'web', env.echoImage, ECHO_8080),
      deployment(ISO, 'api', env.echoImage, ECHO_8080),
      deployment(PEER, 'shop', env.echoImage, ECHO_8080),
    ].join('---\n'));
    for (const [ns, app] of [[ISO, 'web'], [ISO, 'api'], [PEER, 'shop']] as const) await kubectl(['rollout', 'status', '-n', ns, `deployment/${app}`, '--timeout=180s']);
    const policy = await netprobe(['generate', 'isolation-policy', ISO, '--keep', 'dns']);
    await kubectl(['apply', '-f', '-'], policy.stdout);
    await new Promise((r) => setTimeout(r, 2000));
    const json = tempFile('decide-isolation.json', '');
    run = await netprobe(['isolation', ISO, '--keep', 'dns', '--from-namespaces', PEER, '--settle', '30', '-o', `json=${json}`, '--quiet']);
    report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    for (const r of report.results) console.log(`      [isolation] ${r.expectation}: ${r.status} (${r.outcome}) ${r.detail}`);
    console.log(`      [isolation --settle 30] ${run.ms} ms; ${/verdict in .*/.exec(run.stderr)?.[0] ?? ''}`);
  });

  after(async function () {
    this.timeout(120_000);
    await kubectl(['delete', 'namespace', ISO, PEER, '--wait=false', '--ignore-not-found']);
  });

  it('the isolation holds and every path is decided (exit 0)', () => {
    for (const r of report.results) expect(r.status, `${r.expectation}: ${r.detail}`).to.equal('pass');
    expect(run.code, run.stderr).to.equal(0);
  });

  it('each egress deny to the other namespace\'s pod is shown alive by a control probe from that namespace\'s own identity', () => {
    const egress = report.results.filter((r) => r.tags.includes('egress') && r.destination.includes('shop'));
    expect(egress).to.have.length(2);
    for (const r of egress) expect(r.detail).to.match(new RegExp(`target alive: a control probe from ${PEER}/shop-[^,]*, an identity the policies allow, connected`));
  });

  it('the probe pods\' rules are shown programmed by canaries, not the fixed settle (30 s here); the report carries the predictions', () => {
    expect(run.ms).to.be.below(25_000);
    for (const r of report.results) expect(r.detail).not.to.contain('not shown programmed');
    const podPaths = report.results.filter((r) => r.tags.includes('ingress') || r.destination.includes('shop'));
    expect(podPaths.length).to.be.above(0);
    for (const r of podPaths) expect(r.predicted, r.expectation).to.equal('denied');
  });

  it('matrix reads the policies too: every cell decided, the isolated pods blocked both ways', async function () {
    this.timeout(120_000);
    const m = await netprobe(['matrix', '--namespaces', `${ISO},${PEER}`, '--settle', '30', '-o', 'json', '--quiet']);
    const json = JSON.parse(m.stdout) as { sources: { namespace: string }[]; cells: string[][]; unknown: Record<string, string> };
    console.log(`      [matrix --settle 30] ${m.ms} ms, unknown: ${JSON.stringify(json.unknown)}`);
    expect(m.code, m.stderr).to.equal(0);
    expect(m.ms).to.be.below(25_000);
    json.sources.forEach((s, i) => {
      // Nothing leaves the isolated namespace; nothing from elsewhere gets in (the peer's own pods it cannot reach either).
      if (s.namespace === ISO) expect(json.cells[i]!.filter((c) => c === 'allowed')).to.deep.equal([]);
    });
  });
});

// --verify-targets (issue 11): a target shown alive with no traffic, from its own listening sockets. web
// listens on 8080 (no readiness probe) and on nothing at 9999; the default-deny ingress policy stops
// monitor, and kube-router's rejection through a Service ClusterIP proves nothing alone (kube-proxy
// rejects the same way for a Service with no backend). Without predictions nothing else can vouch.
const VT = `e2e-decide-${ID}-vt`;

describe('e2e: --verify-targets reads the target pod\'s sockets from an ephemeral container (issue 11)', function () {
  let verified: Map<string, Result>;
  let plain: Map<string, Result>;
  let runId = '';

  const vtSuite = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: decide-verify}
spec:
  defaults: {timeoutSeconds: 2, attempts: 1}
  endpoints:
    monitor: {namespace: ${VT}, podSelector: {matchLabels: {app: monitor}}}
  expectations:
    - {name: monitor must not reach the web Service, from: monitor, to: {namespace: ${VT}, service: web}, port: 8080, expect: deny}
    - {name: monitor must not reach the web Service on 9999, from: monitor, to: {namespace: ${VT}, service: web}, port: 9999, expect: deny}
`;

  async function runVt(...flags: string[]): Promise<{ results: Map<string, Result>; report: Report }> {
    const run = await netprobe(['run', tempFile('decide-verify.yaml', vtSuite), '-o', 'json', '--quiet', '--no-predict', ...flags]);
    const report = JSON.parse(run.stdout) as Report;
    for (const r of report.results) console.log(`      [${flags.join(' ') || 'plain'}] ${r.expectation}: ${r.status} (${r.outcome}) ${r.detail}${r.decideBy ? ` | to decide: ${r.decideBy}` : ''}`);
    return { results: new Map(report.results.map((r) => [r.expectation, r])), report };
  }

  before(async function () {
    this.timeout(400_000);
    const env = clusterEnv(this);
    await kubectl(['apply', '-f', '-'], [
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${VT}}\n`,
      deployment(VT, 'web', env.echoImage, ECHO_8080),
      deployment(VT, 'monitor', env.probeImage),
      `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${VT}}\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 8080, targetPort: 8080}, {name: idle, port: 9999, targetPort: 9999}]\n`,
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: ${VT}}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n`,
    ].join('---\n'));
    for (const app of ['web', 'monitor']) await kubectl(['rollout', 'status', '-n', VT, `deployment/${app}`, '--timeout=180s']);
    plain = (await runVt()).results;
    const v = await runVt('--verify-targets');
    verified = v.results;
    runId = v.report.run.id;
  });

  after(async function () {
    this.timeout(120_000);
    await kubectl(['delete', 'namespace', VT, '--wait=false', '--ignore-not-found']);
  });

  it('without it, the deny through the Service is inconclusive and names --verify-targets among the steps', () => {
    const r = plain.get('monitor must not reach the web Service')!;
    expect(r.status, r.detail).to.equal('inconclusive');
    expect(r.decideBy).to.contain('--verify-targets').and.contain("stays in the pod's spec");
  });

  it('with it, a listener on 8080 in web\'s sockets shows the backend alive: the deny passes, saying how it was shown', () => {
    const r = verified.get('monitor must not reach the web Service')!;
    expect(r.status, r.detail).to.equal('pass');
    expect(r.detail).to.match(new RegExp(`target alive: pod ${VT}/web-[^ ]+ listens on TCP 8080 \\(its sockets, read by --verify-targets`));
  });

  it('nothing listens on 9999: still inconclusive, saying so, and a port it listens on decides it', () => {
    const r = verified.get('monitor must not reach the web Service on 9999')!;
    expect(r.status, r.detail).to.equal('inconclusive');
    expect(r.detail).to.contain('does not listen on TCP 9999');
    expect(r.decideBy).to.match(/^probe a port that .*web listens on \(nothing listens on 9999\)/);
  });

  it('a source probed from inside its own pod (ephemeral: true) runs its probes: a plan with no pod of netprobe\'s to start', async function () {
    this.timeout(120_000);
    const inside = vtSuite.replace('monitor: {namespace: ' + VT + ', podSelector: {matchLabels: {app: monitor}}}', `monitor: {namespace: ${VT}, podSelector: {matchLabels: {app: monitor}}, ephemeral: true}`);
    const run = await netprobe(['run', tempFile('decide-verify-inside.yaml', inside), '-o', 'json', '--quiet', '--no-predict', '--verify-targets']);
    const report = JSON.parse(run.stdout) as Report;
    for (const x of report.results) console.log(`      [inside] ${x.expectation}: ${x.status} ${x.detail}`);
    const r = report.results.find((x) => x.expectation === 'monitor must not reach the web Service')!;
    expect(r.status, r.detail).to.equal('pass');
    const names = await kubectl(['get', 'pods', '-n', VT, '-l', 'app=monitor', '-o', 'jsonpath={.items[0].spec.ephemeralContainers[*].name}']);
    expect(names.split(' '), 'the probes ran inside monitor').to.include(`netprobe-${report.run.id}`);
  });

  it('the ephemeral container stays in web\'s spec, and it has ended (it printed the tables and exited)', async () => {
    const names = await kubectl(['get', 'pods', '-n', VT, '-l', 'app=web', '-o', 'jsonpath={.items[0].spec.ephemeralContainers[*].name}']);
    expect(names.split(' ')).to.include(`netprobe-${runId}-sockets`);
    const state = await kubectl(['get', 'pods', '-n', VT, '-l', 'app=web', '-o', `jsonpath={.items[0].status.ephemeralContainerStatuses[?(@.name=="netprobe-${runId}-sockets")].state.terminated.exitCode}`]);
    expect(state.trim()).to.equal('0');
  });
});
