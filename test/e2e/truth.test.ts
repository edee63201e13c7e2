// Truth holes of issue 10 on the real cluster, for what only a cluster shows: a hostNetwork source (node
// traffic, which no probe pod stands for), a Service with two replicas of which one does not listen (alive
// is per backend pod), and a control probe refused for a pod IP (netprobe's machine is the node here and
// reaches pod IPs past their policies). Own namespace e2e-truth-*, deleted at the end.
import { expect } from 'chai';
import net from 'node:net';
import type { Report, Result } from '../../src/verdict/model.ts';
import { clusterEnv, kubectl, netprobe, tempFile, waitUntil, type ClusterEnv } from './support.ts';

const NS = `e2e-truth-${process.pid}`;
const AGENT = '/usr/local/bin/netprobe-agent';
const SECURITY = `securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}`;
const CONTAINER_SECURITY = `securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}`;

function echoPod(name: string, labels: string, port: number, readiness: boolean, image: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NS}, labels: {${labels}}}
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 0
  ${SECURITY}
  containers:
  - name: echo
    image: "${image}"
    imagePullPolicy: IfNotPresent
    command: ["${AGENT}", "serve", "--tcp", "${port}"]
    ports: [{containerPort: ${port}}]
${readiness ? `    readinessProbe: {tcpSocket: {port: ${port}}, periodSeconds: 1}\n` : ''}    ${CONTAINER_SECURITY}
`;
}

function fixtures(env: ClusterEnv): string {
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`,
    // Two replicas of one identity behind a Service: back-a (first by name, probed directly) listens on
    // 9090 only; back-b listens on 8080 with a readiness probe.
    echoPod('back-a', 'app: back', 9090, false, env.echoImage),
    echoPod('back-b', 'app: back', 8080, true, env.echoImage),
    `apiVersion: v1\nkind: Service\nmetadata: {name: back, namespace: ${NS}}\nspec:\n  selector: {app: back}\n  ports: [{port: 80, targetPort: 8080}]\n`,
    echoPod('guarded', 'app: guarded', 8080, true, env.echoImage),
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: guarded-deny-all, namespace: ${NS}}\nspec:\n  podSelector: {matchLabels: {app: guarded}}\n  policyTypes: [Ingress]\n`,
    `apiVersion: v1
kind: Pod
metadata: {name: hostagent, namespace: ${NS}, labels: {app: hostagent}}
spec:
  hostNetwork: true
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 0
  ${SECURITY}
  containers:
  - name: sleep
    image: "${env.probeImage}"
    imagePullPolicy: IfNotPresent
    command: ["${AGENT}", "sleep"]
    ${CONTAINER_SECURITY}
`,
  ].join('---\n');
}

function suite(guardedIp: string): string {
  return `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: truth}
spec:
  defaults: {namespace: ${NS}, timeoutSeconds: 2, attempts: 1}
  endpoints:
    client: {podSelector: {matchLabels: {app: client}}, synthetic: true}
    other: {podSelector: {matchLabels: {app: other}}, synthetic: true}
  expectations:
    - name: client reaches the Service
      from: client
      to: {service: back}
      port: 80
      expect: allow
    - name: other may not reach the replicas
      from: other
      to: {podSelector: {matchLabels: {app: back}}}
      port: 8080
      expect: deny
    - name: client may not reach the guarded pod by address
      from: client
      to: {host: "${guardedIp}"}
      port: 8080
      expect: deny
    - name: the node agent may not reach the guarded pod
      from: {workload: {kind: Pod, name: hostagent}}
      to: {podSelector: {matchLabels: {app: guarded}}}
      port: 8080
      expect: deny
    - name: from inside the node agent to back-b
      from: {workload: {kind: Pod, name: hostagent}, ephemeral: true}
      to: {workload: {kind: Pod, name: back-b}}
      port: 8080
      expect: allow
`;
}

/** Whether this machine (the node) opens a TCP connection to addr:port: what the old control probe did. */
function nodeConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(2000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

describe('e2e: truth holes (hostNetwork source, Service replicas, control probes)', function () {
  let env: ClusterEnv;
  let results: Record<string, Result>;
  let guardedIp = '';

  before(async function () {
    env = clusterEnv(this);
    await kubectl(['apply', '-f', '-'], fixtures(env));
    await waitUntil('the fixture pods to be Ready', async () => {
      const out = await kubectl(['get', 'pods', '-n', NS, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']);
      return ['back-a', 'back-b', 'guarded', 'hostagent'].every((p) => out.includes(`${p}=True`));
    }, 180_000);
    guardedIp = (await kubectl(['get', 'pod', '-n', NS, 'guarded', '-o', 'jsonpath={.status.podIP}'])).trim();
    const run = await netprobe(['run', tempFile('truth.yaml', suite(guardedIp)), '-o', 'json', '--quiet']);
    expect(run.stdout, run.stderr).to.match(/^\{/);
    results = Object.fromEntries((JSON.parse(run.stdout) as Report).results.map((r) => [r.expectation, r]));
  });

  after(async () => {
    await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']).catch(() => '');
  });

  it('a Service replica that does not listen breaks the allowed path, probed directly', () => {
    expect(results['client reaches the Service']!.status).to.equal('broken');
  });

  it('a connection through the ClusterIP does not vouch for the replica that does not listen', () => {
    const r = results['other may not reach the replicas']!;
    // back-a refuses (nothing listens on 8080): a closed port, not a deny, and nothing vouches it alive.
    expect(r.status, r.detail).to.equal('inconclusive');
    expect(r.detail).to.match(/closed port|nothing shows the target is alive/);
    expect(r.detail).to.not.match(/target alive: a probe .* connected to it/);
  });

  it('a control probe from the node does not vouch for a pod IP', async () => {
    const r = results['client may not reach the guarded pod by address']!;
    // kube-router's REJECT (an ICMP error from the node's bridge, not the target) may prove the deny by
    // itself; what must never prove it is netprobe's own machine reaching the pod.
    expect(r.detail).to.not.contain('netprobe\'s own machine');
    if (r.status === 'pass') expect(r.detail).to.match(/rejected by the network/);
    else expect(r.status, r.detail).to.equal('inconclusive');
    // Why it matters: this machine reaches the pod past its deny-all policy, as the old control probe did.
    console.log(`      (the node itself ${(await nodeConnects(guardedIp, 8080)) ? 'connects' : 'does not connect'} to ${guardedIp}:8080)`);
  });

  it('a hostNetwork source is inconclusive with the reason; from inside it (ephemeral) it is probed from the node', () => {
    const r = results['the node agent may not reach the guarded pod']!;
    expect(r.status).to.equal('inconclusive');
    expect(r.detail).to.match(/hostNetwork: true/);
    expect(r.decideBy).to.match(/ephemeral: true/);
    expect(results['from inside the node agent to back-b']!.status, results['from inside the node agent to back-b']!.detail).to.equal('pass');
  });
});
