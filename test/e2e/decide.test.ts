// Issue 11 on the local cluster: "monitor must not reach web:8080" where web listens on 8080 with no
// readiness probe and no expectation connects to it. Without predictions the deny through web's Service
// is inconclusive (kube-proxy rejects the same way when no backend is ready) and says what would decide
// it; with predictions one control probe from api, an identity the policies allow and already a source
// of the run, connects to web:8080 and decides it; and the probe pods start probing once canaries show
// their rules programmed, not after the fixed settle. Own namespaces (e2e-decide-*), deleted at the end.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Report, Result } from '../../src/verdict/model.ts';
import { clusterEnv, kubectl, netprobe, tempFile, type ClusterEnv } from './support.ts';

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
