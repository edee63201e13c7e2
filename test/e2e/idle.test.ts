// matrix, isolation and generate on namespaces whose pods give nothing to probe (an image that cannot be
// pulled, pods that declare no port): said plainly, exit 3, never "internal error". In namespaces of this
// file's own (sched-*), deleted at the end.
import { expect } from 'chai';
import { clusterEnv, kubectl, netprobe, waitUntil, type ClusterEnv } from './support.ts';

const PULL_FAILS = 'sched-pull-fails';
const NO_PORTS = 'sched-no-ports';

function podYaml(namespace: string, name: string, image: string, ports: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}}}
spec:
  terminationGracePeriodSeconds: 0
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: c
      image: ${image}
      imagePullPolicy: IfNotPresent
      command: [/usr/local/bin/netprobe-agent, sleep, --for, 600s, --token, e2e]
      ports: ${ports}
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`;
}

const DENY_ALL = (namespace: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ${namespace}}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;

async function phaseOf(namespace: string, pod: string): Promise<string> {
  return kubectl(['get', 'pod', '-n', namespace, pod, '-o', 'jsonpath={.status.phase}/{.status.containerStatuses[0].state.waiting.reason}']);
}

describe('e2e: nothing to probe is said plainly (matrix, isolation, generate)', function () {
  let env: ClusterEnv;
  before(async function () {
    env = clusterEnv(this);
    for (const ns of [PULL_FAILS, NO_PORTS]) {
      await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true']);
      await kubectl(['create', 'namespace', ns]);
    }
    await waitUntil('default ServiceAccounts', async () => (await kubectl(['get', 'serviceaccount', '-A', '-o', 'name', '--field-selector', 'metadata.name=default'])).split('\n').length > 2, 30_000);
    await kubectl(['apply', '-f', '-'], podYaml(PULL_FAILS, 'web', 'localhost/netprobe/missing:0', '[{containerPort: 8080}]'));
    await kubectl(['apply', '-f', '-'], `${podYaml(NO_PORTS, 'worker', env.probeImage, '[]')}---\n${podYaml(NO_PORTS, 'batch', env.probeImage, '[]')}---\n${DENY_ALL(NO_PORTS)}`);
    await waitUntil('the image pull to fail', async () => /ErrImagePull|ImagePullBackOff|ErrImageNeverPull/.test(await phaseOf(PULL_FAILS, 'web')), 60_000);
    await kubectl(['wait', '--for=condition=Ready', 'pod', '--all', '-n', NO_PORTS, '--timeout=90s']);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', PULL_FAILS, NO_PORTS, '--ignore-not-found', '--wait=false']);
  });

  it('matrix on a namespace whose only pod cannot pull its image', async () => {
    const r = await netprobe(['matrix', '--namespaces', PULL_FAILS, '--quiet']);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.contain(`netprobe matrix: no pod in ${PULL_FAILS} is Running and Ready on the pod network (1 pod: 1 Pending): nothing to probe`);
    expect(r.stderr).not.to.contain('internal error');
  });

  it('matrix on pods that declare no port', async () => {
    const r = await netprobe(['matrix', '--namespaces', NO_PORTS, '--quiet']);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.contain(`netprobe matrix: none of the 2 pod identities in ${NO_PORTS} declares a container port: nothing to probe`);
  });

  it('isolation of a namespace with no Running and Ready pod', async () => {
    const r = await netprobe(['isolation', PULL_FAILS, '--quiet']);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.contain(`netprobe isolation: no pod in ${PULL_FAILS} is Running and Ready on the pod network (1 pod: 1 Pending): nothing to isolate`);
  });

  it('generate from-policies --from-cluster on pods that declare no port', async () => {
    const r = await netprobe(['generate', 'from-policies', '--from-cluster', '-n', NO_PORTS]);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.contain(`netprobe generate: no pod of ${NO_PORTS} declares a container port (and no egress rule names an address and port): no expectation to derive`);
    expect(r.stdout).to.equal('');
  });
});
