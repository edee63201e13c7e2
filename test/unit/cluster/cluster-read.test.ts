// The cluster adapter's pure parts: what a V1Pod tells the plan (toPod), why a pod is not usable and
// whether waiting helps (podProblem: image pull errors are final, Pending is not), and the permissions
// a run checks before creating anything (runPermissions).
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { describePermission, runPermissions } from '../../../src/cluster/access.ts';
import { podProblem } from '../../../src/cluster/pods.ts';
import { toPod, toService } from '../../../src/cluster/read.ts';

function v1pod(spec: V1Pod['spec'], status: V1Pod['status'] = {}, labels: Record<string, string> = { app: 'db' }): V1Pod {
  return { metadata: { namespace: 'shop', name: 'db-0', labels }, spec: spec ?? { containers: [] }, status };
}
const READY: V1Pod['status'] = { phase: 'Running', podIP: '10.1.0.1', conditions: [{ type: 'Ready', status: 'True' }] };

describe('toService: V1Service -> ServiceInfo (the shape the manifest reader makes too)', () => {
  const svc = (spec: Record<string, unknown>) => toService({ metadata: { namespace: 'shop', name: 'db' }, spec });
  it('keeps clusterIPs, the primary first, and no selector as none', () => {
    const s = svc({ clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00:96::5'], ports: [{ port: 80, targetPort: 'http' }] });
    expect(s).to.deep.equal({ namespace: 'shop', name: 'db', clusterIPs: ['10.96.0.5', 'fd00:96::5'], ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }] });
  });
  it('a headless Service has no cluster address; a selector is kept', () => {
    const s = svc({ clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' }, ports: [] });
    expect(s.clusterIPs).to.deep.equal([]);
    expect(s.selector).to.deep.equal({ app: 'db' });
  });
});

describe('toPod: V1Pod -> PodInfo', () => {
  it('keeps identity, address and readiness', () => {
    const p = toPod(v1pod({ containers: [{ name: 'c' }], serviceAccountName: 'db-sa' }, READY, { app: 'db', 'pod-template-hash': 'x' }));
    expect(p).to.deep.equal({
      namespace: 'shop',
      name: 'db-0',
      labels: { app: 'db', 'pod-template-hash': 'x' },
      serviceAccount: 'db-sa',
      ips: ['10.1.0.1'],
      phase: 'Running',
      ready: true,
      hostNetwork: false,
      containerPorts: [],
      readinessPorts: [],
      annotations: {},
      runningContainers: ['c'],
    });
  });

  it('keeps every address of a dual-stack pod, the primary first', () => {
    const status = { ...READY, podIP: 'fd00::1', podIPs: [{ ip: '10.1.0.1' }, { ip: 'fd00::1' }] };
    expect(toPod(v1pod({ containers: [] }, status)).ips).to.deep.equal(['fd00::1', '10.1.0.1']);
    expect(toPod(v1pod({ containers: [] }, { phase: 'Pending' })).ips).to.deep.equal([]);
  });

  it('keeps what mesh detection reads: annotations, containers, and native sidecars (init containers that keep running)', () => {
    const spec: V1Pod['spec'] = {
      initContainers: [{ name: 'istio-validation' }, { name: 'istio-proxy', restartPolicy: 'Always' }],
      containers: [{ name: 'app' }],
    };
    const v = v1pod(spec, READY);
    v.metadata!.annotations = { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' };
    const p = toPod(v);
    expect(p.runningContainers).to.deep.equal(['app', 'istio-proxy']);
    expect(p.annotations).to.have.property('sidecar.istio.io/status');
  });

  it('is Ready only with a Ready=True condition; a pod without status has no IP and an Unknown phase', () => {
    expect(toPod(v1pod({ containers: [] }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }, { type: 'ContainersReady', status: 'True' }] })).ready).to.equal(false);
    const bare = toPod({ metadata: { namespace: 'shop', name: 'x' } });
    expect(bare).to.include({ phase: 'Unknown', ready: false, serviceAccount: 'default', hostNetwork: false });
    expect(bare).to.not.have.property('ip');
    expect(bare.labels).to.deep.equal({});
  });

  it('lists the container ports of every container, named or not, TCP by default', () => {
    const p = toPod(
      v1pod({
        containers: [
          { name: 'db', ports: [{ name: 'pg', containerPort: 5432 }, { containerPort: 9187, protocol: 'TCP' }] },
          { name: 'side', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { containerPort: 3868, protocol: 'SCTP' }] },
        ],
      }),
    );
    expect(p.containerPorts).to.deep.equal([
      { name: 'pg', port: 5432, protocol: 'TCP' },
      { port: 9187, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
      { port: 3868, protocol: 'SCTP' },
    ]);
  });

  it('records the ports readiness probes check (numbers, names, numeric strings), not liveness probes', () => {
    const p = toPod(
      v1pod({
        containers: [
          { name: 'a', readinessProbe: { tcpSocket: { port: 5432 } } },
          { name: 'b', readinessProbe: { httpGet: { port: 'http', path: '/healthz' } } },
          { name: 'c', readinessProbe: { httpGet: { port: '8081' as unknown as number } } },
          { name: 'd', readinessProbe: { grpc: { port: 9090 } } },
          { name: 'e', readinessProbe: { exec: { command: ['true'] } }, livenessProbe: { tcpSocket: { port: 7000 } } },
        ],
      }),
    );
    expect(p.readinessPorts).to.deep.equal([
      { port: 5432, kind: 'tcpSocket' },
      { port: 'http', kind: 'httpGet' },
      { port: 8081, kind: 'httpGet' },
      { port: 9090, kind: 'grpc' },
    ]);
  });

  it('marks netprobe\'s own pods and host-network pods', () => {
    expect(toPod(v1pod({ containers: [] }, READY, { 'netprobe.dev/role': 'server' })).netprobeRole).to.equal('server');
    expect(toPod(v1pod({ containers: [] }, READY)).netprobeRole).to.equal(undefined);
    expect(toPod(v1pod({ containers: [], hostNetwork: true }, READY)).hostNetwork).to.equal(true);
  });
});

describe('podProblem: why a pod is not usable, and whether waiting helps', () => {
  const waiting = (reason: string, message?: string): V1Pod['status'] => ({
    phase: 'Pending',
    containerStatuses: [{ name: 'probe', image: 'ghcr.io/x/probe:nope', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, ...(message ? { message } : {}) } } }],
  });

  it('image pull failures are final, and name the image', () => {
    for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']) {
      const p = podProblem(v1pod(undefined, waiting(reason, 'manifest unknown')));
      expect(p, reason).to.deep.include({ final: true });
      expect(p!.reason).to.contain(reason).and.to.contain('ghcr.io/x/probe:nope').and.to.contain('manifest unknown');
    }
  });

  it('containers that cannot be created or keep crashing are final', () => {
    for (const reason of ['CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff', 'RunContainerError']) {
      expect(podProblem(v1pod(undefined, waiting(reason)))!.final, reason).to.equal(true);
    }
  });

  it('Pending while the container is created or the pod is not yet scheduled is not final', () => {
    const creating = podProblem(v1pod(undefined, waiting('ContainerCreating')));
    expect(creating).to.deep.include({ final: false });
    expect(creating!.reason).to.match(/Pending/);
    expect(podProblem(v1pod(undefined, { phase: 'Pending' }))).to.deep.include({ final: false });
  });

  it('a pod the scheduler said cannot fit is final at once (test/unit/cluster/start-failure.test.ts has the kinds)', () => {
    const unscheduled = podProblem(v1pod(undefined, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Too many pods.' }] }));
    expect(unscheduled).to.deep.equal({ reason: 'not scheduled: 0/1 nodes are available: 1 Too many pods.', final: true, kind: 'capacity' });
  });

  it('a pod that ended, or whose container exited, is final', () => {
    const failed = podProblem(v1pod(undefined, { phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active too long' }));
    expect(failed).to.deep.include({ final: true });
    expect(failed!.reason).to.contain('Failed').and.to.contain('DeadlineExceeded');
    expect(podProblem(v1pod(undefined, { phase: 'Succeeded' }))!.final).to.equal(true);
    const exited = podProblem(
      v1pod(undefined, { phase: 'Running', containerStatuses: [{ name: 'echo', image: 'e', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } }] }),
    );
    expect(exited).to.deep.equal({ reason: 'container echo exited 2 (Error)', final: true });
  });

  it('Running but not yet Ready is not final', () => {
    expect(podProblem(v1pod(undefined, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] }))).to.deep.equal({ reason: 'not Ready', final: false });
  });
});

describe('runPermissions: what a run must be allowed before it creates anything', () => {
  const has = (perms: ReturnType<typeof runPermissions>, text: string) => perms.map(describePermission).includes(text);

  it('reads every object kind the snapshot lists in every namespace it reads', () => {
    const perms = runPermissions(['shop', 'db', 'shop'], []);
    for (const ns of ['shop', 'db']) {
      expect(has(perms, `get namespaces in namespace ${ns}`), `namespace ${ns}`).to.equal(true);
      for (const r of ['pods', 'services', 'serviceaccounts', 'deployments.apps', 'statefulsets.apps', 'daemonsets.apps']) {
        expect(has(perms, `list ${r} in namespace ${ns}`), `${r} in ${ns}`).to.equal(true);
      }
    }
    // Namespaces are asked about once each.
    expect(perms.filter((p) => p.resource === 'pods' && p.namespace === 'shop')).to.have.length(1);
    expect(perms.some((p) => p.verb !== 'list' && p.verb !== 'get')).to.equal(false);
  });

  it('creates, execs into and deletes pods where it probes, and nowhere else', () => {
    const perms = runPermissions(['shop', 'db'], ['shop']);
    for (const text of ['create pods in namespace shop', 'create pods/exec in namespace shop', 'deletecollection pods in namespace shop']) {
      expect(has(perms, text), text).to.equal(true);
    }
    expect(perms.filter((p) => p.namespace === 'db' && p.verb !== 'list' && p.resource !== 'namespaces')).to.deep.equal([]);
  });

  it('says exactly what a permission is', () => {
    expect(describePermission({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'shop' })).to.equal('create pods/exec in namespace shop');
    expect(describePermission({ verb: 'list', resource: 'deployments', group: 'apps', namespace: 'a' })).to.equal('list deployments.apps in namespace a');
  });
});
