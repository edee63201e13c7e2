// Only the network's answer is evidence, on the local cluster (issues 10, 11): kube-router's REJECT of a
// denied port is told apart from a closed port (a reset from the target's own stack), and "UDP 53 to
// kube-dns: allow" passes because the agent speaks DNS on 53. Own namespace, deleted at the end.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Report, Result } from '../../src/verdict/model.ts';
import { clusterEnv, kubectl, netprobe, tempFile, type ClusterEnv } from './support.ts';

const NS = `e2e-evidence-${randomBytes(3).toString('hex')}`;

const RESTRICTED = `securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}`;
const CONTAINER_SECURITY = `securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}`;

/** A server listening on 8080 only (Ready by a kubelet TCP probe), a client, and a policy letting the client reach 8080 and 9091. */
function fixtures(env: ClusterEnv): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: ${NS}, labels: {app: server}}
spec:
  ${RESTRICTED}
  containers:
  - name: echo
    image: ${env.echoImage}
    imagePullPolicy: Never
    env: [{name: ECHO_TCP, value: "8080"}]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
    ${CONTAINER_SECURITY}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${NS}, labels: {app: client}}
spec:
  ${RESTRICTED}
  containers:
  - name: probe
    image: ${env.probeImage}
    imagePullPolicy: Never
    ${CONTAINER_SECURITY}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server-ingress, namespace: ${NS}}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 8080}, {port: 9091}]
`;
}

const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: evidence}
spec:
  defaults: {timeoutSeconds: 2, attempts: 1}
  endpoints:
    client: {namespace: ${NS}, podSelector: {matchLabels: {app: client}}}
    server: {namespace: ${NS}, podSelector: {matchLabels: {app: server}}}
  expectations:
    - {name: allowed port, from: client, to: server, port: 8080, expect: allow}
    - {name: the policy rejects 9090, from: client, to: server, port: 9090, expect: deny}
    - {name: nothing listens on 9091, from: client, to: server, port: 9091, expect: deny}
    - {name: UDP 53 to kube-dns, from: client, to: {namespace: kube-system, service: kube-dns}, port: 53, protocol: UDP, expect: allow}
`;

describe('e2e: only the network\'s answer is evidence (kube-router)', function () {
  let results: Map<string, Result>;
  let podIps: { server: string; client: string };

  before(async function () {
    this.timeout(300_000);
    const env = clusterEnv(this);
    await kubectl(['apply', '-f', '-'], fixtures(env));
    await kubectl(['wait', '-n', NS, '--for=condition=Ready', 'pod/server', 'pod/client', '--timeout=120s']);
    const ip = async (pod: string) => (await kubectl(['get', 'pod', '-n', NS, pod, '-o', 'jsonpath={.status.podIP}'])).trim();
    podIps = { server: await ip('server'), client: await ip('client') };
    const run = await netprobe(['run', tempFile('evidence.yaml', SUITE), '-o', 'json', '--quiet', '--no-predict']);
    const report = JSON.parse(run.stdout) as Report;
    results = new Map(report.results.map((r) => [r.expectation, r]));
    for (const r of report.results) console.log(`      ${r.expectation}: ${r.status} (${r.outcome}) ${r.detail}`);
  });

  after(async function () {
    this.timeout(120_000);
    await kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
  });

  it('the allowed port connects (the target is alive and the path works)', () => {
    expect(results.get('allowed port')).to.include({ status: 'pass', outcome: 'connected' });
  });

  it('a port the policy denies is rejected by kube-router on the node, not by the target: the deny passes without liveness', () => {
    const r = results.get('the policy rejects 9090')!;
    expect(r, r.detail).to.include({ status: 'pass', observed: 'denied', outcome: 'refused' });
    expect(r.detail).to.match(/rejected by the network: ICMP port-unreachable from (\S+), not the target/);
    const from = /ICMP port-unreachable from (\S+),/.exec(r.detail)![1];
    expect(from).to.not.equal(podIps.server).and.to.not.equal(podIps.client);
  });

  it('a port the policy allows where nothing listens is a closed port (a reset): the deny is not shown', () => {
    const r = results.get('nothing listens on 9091')!;
    expect(r, r.detail).to.include({ status: 'inconclusive', outcome: 'refused' });
    expect(r.detail).to.match(/closed port: .* answered with a reset/).and.to.match(/policy was not what stopped it/);
  });

  it('"UDP 53 to kube-dns: allow" passes: the agent speaks DNS on 53 and CoreDNS answers', () => {
    expect(results.get('UDP 53 to kube-dns')).to.include({ status: 'pass', observed: 'allowed', outcome: 'connected' });
  });
});
