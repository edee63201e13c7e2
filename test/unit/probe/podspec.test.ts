// The pods netprobe creates, against the spec (issue 4, Clean up and Security): Pod Security
// "restricted" field by field, activeDeadlineSeconds, the netprobe labels, the identity's own labels
// exactly, small requests and limits, and the configured image, pull secrets, labels, annotations,
// node selector and tolerations.
import { expect } from 'chai';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { AGENT, ephemeralProbeContainer, probePod, serverPod, type PodOptions } from '../../../src/probe/podspec.ts';
import { expiryJob } from '../../../src/cluster/run-owner.ts';
import type { ServerSpec, SourceIdentity } from '../../../src/plan/types.ts';

// ---- Pod Security Standards, "restricted" (which includes "baseline"), as data --------------------
// https://kubernetes.io/docs/concepts/security/pod-security-standards/
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

type Rule = { name: string; violations: (pod: V1Pod) => string[] };
const allContainers = (pod: V1Pod): V1Container[] => [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...((pod.spec?.ephemeralContainers ?? []) as V1Container[])];
const perContainer = (pod: V1Pod, bad: (c: V1Container) => string | undefined): string[] =>
  allContainers(pod).flatMap((c) => {
    const why = bad(c);
    return why ? [`container ${c.name}: ${why}`] : [];
  });

const RESTRICTED: Rule[] = [
  // baseline
  {
    name: 'HostProcess',
    violations: (p) => [
      ...(p.spec?.securityContext?.windowsOptions?.hostProcess ? ['pod hostProcess'] : []),
      ...perContainer(p, (c) => (c.securityContext?.windowsOptions?.hostProcess ? 'hostProcess' : undefined)),
    ],
  },
  { name: 'Host Namespaces', violations: (p) => (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => p.spec?.[k]) },
  { name: 'Privileged Containers', violations: (p) => perContainer(p, (c) => (c.securityContext?.privileged ? 'privileged' : undefined)) },
  { name: 'HostPath Volumes', violations: (p) => (p.spec?.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name) },
  { name: 'Host Ports', violations: (p) => perContainer(p, (c) => ((c.ports ?? []).some((x) => x.hostPort) ? 'hostPort' : undefined)) },
  {
    name: 'AppArmor',
    violations: (p) => [
      ...[p.spec?.securityContext?.appArmorProfile?.type, ...allContainers(p).map((c) => c.securityContext?.appArmorProfile?.type)]
        .filter((t) => t !== undefined && t !== 'RuntimeDefault' && t !== 'Localhost')
        .map((t) => `appArmorProfile ${t}`),
      ...Object.entries(p.metadata?.annotations ?? {})
        .filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/'))
        .map(([k]) => k),
    ],
  },
  {
    name: 'SELinux',
    violations: (p) =>
      [p.spec?.securityContext?.seLinuxOptions, ...allContainers(p).map((c) => c.securityContext?.seLinuxOptions)]
        .filter((o) => o && (!SELINUX_TYPES.has(o.type ?? '') || o.user || o.role))
        .map(() => 'seLinuxOptions'),
  },
  { name: '/proc Mount Type', violations: (p) => perContainer(p, (c) => (c.securityContext?.procMount && c.securityContext.procMount !== 'Default' ? 'procMount' : undefined)) },
  { name: 'Sysctls', violations: (p) => (p.spec?.securityContext?.sysctls ?? []).filter((s) => !SAFE_SYSCTLS.has(s.name)).map((s) => s.name) },
  // restricted
  {
    name: 'Volume Types',
    violations: (p) =>
      (p.spec?.volumes ?? []).filter((v) => !Object.keys(v).some((k) => k !== 'name' && RESTRICTED_VOLUME_TYPES.has(k))).map((v) => v.name),
  },
  { name: 'Privilege Escalation', violations: (p) => perContainer(p, (c) => (c.securityContext?.allowPrivilegeEscalation === false ? undefined : 'allowPrivilegeEscalation is not false')) },
  {
    name: 'Running as Non-root',
    violations: (p) => {
      const podLevel = p.spec?.securityContext?.runAsNonRoot === true;
      return perContainer(p, (c) => {
        const v = c.securityContext?.runAsNonRoot;
        if (v === false) return 'runAsNonRoot false';
        return v === true || podLevel ? undefined : 'runAsNonRoot not set';
      });
    },
  },
  {
    name: 'Running as Non-root user',
    violations: (p) => [...(p.spec?.securityContext?.runAsUser === 0 ? ['pod runAsUser 0'] : []), ...perContainer(p, (c) => (c.securityContext?.runAsUser === 0 ? 'runAsUser 0' : undefined))],
  },
  {
    name: 'Seccomp',
    violations: (p) => {
      const ok = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = p.spec?.securityContext?.seccompProfile?.type;
      const podBad = podType !== undefined && !ok(podType) ? ['pod seccompProfile'] : [];
      return [
        ...podBad,
        ...perContainer(p, (c) => {
          const t = c.securityContext?.seccompProfile?.type;
          if (t !== undefined) return ok(t) ? undefined : `seccompProfile ${t}`;
          return ok(podType) ? undefined : 'no seccompProfile';
        }),
      ];
    },
  },
  {
    name: 'Capabilities',
    violations: (p) =>
      perContainer(p, (c) => {
        const caps = c.securityContext?.capabilities;
        if (!(caps?.drop ?? []).includes('ALL')) return 'does not drop ALL';
        const added = (caps?.add ?? []).filter((a) => a !== 'NET_BIND_SERVICE');
        return added.length > 0 ? `adds ${added.join(',')}` : undefined;
      }),
  },
];

function restrictedViolations(pod: V1Pod): string[] {
  return RESTRICTED.flatMap((r) => r.violations(pod).map((v) => `${r.name}: ${v}`));
}

// ---- fixtures ----------------------------------------------------------------------------------
const OPTS: PodOptions = {
  runId: 'abc123',
  probeImage: 'ghcr.io/netprobe/probe:1',
  echoImage: 'ghcr.io/netprobe/echo:1',
  deadlineSeconds: 900,
  imagePullSecrets: [],
  extraLabels: {},
  annotations: {},
  nodeSelector: {},
  tolerations: [],
};
const SOURCE: SourceIdentity = { key: 'shop|web-sa|app=web,tier=front', namespace: 'shop', labels: { app: 'web', tier: 'front' }, serviceAccount: 'web-sa', standsFor: 'shop/web' };
const SERVER: ServerSpec = {
  key: 'shop|default|app=ghost',
  namespace: 'shop',
  labels: { app: 'ghost' },
  ports: [
    { port: 8080, protocol: 'tcp' },
    { port: 9090, protocol: 'tcp' },
    { port: 9000, protocol: 'udp' },
  ],
  standsFor: 'ghost',
};
const LOW_PORT_SERVER: ServerSpec = { ...SERVER, ports: [{ port: 53, protocol: 'udp' }, { port: 80, protocol: 'tcp' }] };

const pods: [string, V1Pod][] = [
  ['probe pod', probePod('netprobe-abc123-s0', SOURCE, OPTS)],
  ['echo server', serverPod('netprobe-abc123-e0', SERVER, OPTS)],
  ['echo server on ports below 1024', serverPod('netprobe-abc123-e1', LOW_PORT_SERVER, OPTS)],
];

describe('netprobe pods satisfy Pod Security "restricted"', () => {
  it('the rule list catches what it should (a privileged root pod breaks most rules)', () => {
    const bad: V1Pod = {
      metadata: { name: 'bad', annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } },
      spec: {
        hostNetwork: true,
        volumes: [{ name: 'h', hostPath: { path: '/' } }],
        securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }], seccompProfile: { type: 'Unconfined' } },
        containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['NET_ADMIN'] } } }],
      },
    };
    const rules = new Set(restrictedViolations(bad).map((v) => v.split(':')[0]));
    expect([...rules]).to.include.members([
      'Host Namespaces',
      'Privileged Containers',
      'HostPath Volumes',
      'Host Ports',
      'AppArmor',
      'Sysctls',
      'Volume Types',
      'Privilege Escalation',
      'Running as Non-root',
      'Running as Non-root user',
      'Seccomp',
      'Capabilities',
    ]);
  });

  for (const [what, pod] of pods) {
    it(`${what}: no rule is broken`, () => {
      expect(restrictedViolations(pod)).to.deep.equal([]);
    });

    it(`${what}: every container runs non-root with a read-only root, no escalation, no capabilities, RuntimeDefault seccomp`, () => {
      expect(pod.spec!.containers).to.have.length.greaterThan(0);
      for (const c of allContainers(pod)) {
        expect(c.securityContext, c.name).to.deep.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
        expect(c.securityContext!.runAsUser).to.be.a('number').and.greaterThan(0);
        expect(c.securityContext!.capabilities).to.deep.equal({ drop: ['ALL'] });
        expect(c.securityContext!.seccompProfile).to.deep.equal({ type: 'RuntimeDefault' });
      }
    });

    it(`${what}: ends itself (activeDeadlineSeconds), never restarts, and has small requests and limits`, () => {
      expect(pod.spec!.activeDeadlineSeconds).to.equal(900);
      expect(pod.spec!.restartPolicy).to.equal('Never');
      for (const c of pod.spec!.containers) {
        expect(c.resources?.requests, c.name).to.have.all.keys('cpu', 'memory');
        expect(c.resources?.limits, c.name).to.have.all.keys('cpu', 'memory');
      }
    });

    it(`${what}: labelled as netprobe's, with the run id`, () => {
      expect(pod.metadata!.labels).to.include({ 'app.kubernetes.io/managed-by': 'netprobe', 'netprobe.dev/run': 'abc123' });
      expect(pod.metadata!.namespace).to.equal('shop');
    });
  }

  it('the run\'s expiry Job (never instantiated) has a "restricted" pod template all the same', () => {
    const job = expiryJob('abc123', 'shop', 900, OPTS.probeImage);
    expect(restrictedViolations({ metadata: job.spec!.template.metadata!, spec: job.spec!.template.spec! })).to.deep.equal([]);
  });

  it('binding ports below 1024 uses only a safe sysctl, and only when needed', () => {
    expect(pods[2]![1].spec!.securityContext!.sysctls).to.deep.equal([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
    expect(pods[1]![1].spec!.securityContext!.sysctls).to.equal(undefined);
  });
});

describe('netprobe pods never act as the workload (issue 10)', () => {
  const OWNER = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'netprobe-abc123', uid: '0f1e2d3c' };
  const owned: PodOptions = { ...OPTS, owners: new Map([['shop', OWNER]]) };
  for (const [what, pod] of [
    ['probe pod', probePod('netprobe-abc123-s0', SOURCE, owned)],
    ['echo server', serverPod('netprobe-abc123-e0', SERVER, owned)],
  ] as const) {
    it(`${what}: a readiness gate nobody sets keeps it from ever being a Ready endpoint of a Service`, () => {
      expect(pod.spec!.readinessGates).to.deep.equal([{ conditionType: 'netprobe.dev/never-ready' }]);
    });

    it(`${what}: its controller is the run's Lease in its namespace, so no workload controller adopts it`, () => {
      expect(pod.metadata!.ownerReferences).to.deep.equal([{ ...OWNER, controller: true }]);
    });
  }

  it('a pod in a namespace without an anchor (doctor\'s own pods) has no owner, and still the readiness gate', () => {
    const pod = probePod('netprobe-abc123-s1', { ...SOURCE, namespace: 'other' }, owned);
    expect(pod.metadata!.ownerReferences).to.equal(undefined);
    expect(probePod('p', SOURCE, OPTS).spec!.readinessGates).to.have.length(1);
  });
});

describe('probe pods carry the source identity', () => {
  it('the identity\'s labels are present exactly, with its service account and namespace', () => {
    const pod = probePod('p', SOURCE, OPTS);
    expect(pod.metadata!.labels).to.include(SOURCE.labels);
    expect(pod.spec!.serviceAccountName).to.equal('web-sa');
    expect(pod.metadata!.namespace).to.equal('shop');
    // Only netprobe's own keys and the mesh opt-outs are added: a policy selects the probe pod as it selects the workload.
    const added = Object.keys(pod.metadata!.labels!).filter((k) => !(k in SOURCE.labels));
    const meshOptOut = ['sidecar.istio.io/inject', 'istio.io/dataplane-mode'];
    expect(added.every((k) => k === 'app.kubernetes.io/managed-by' || k.startsWith('netprobe.dev/') || meshOptOut.includes(k))).to.equal(true);
  });

  it('configured extra labels never override the identity\'s labels or the run label', () => {
    const pod = probePod('p', SOURCE, { ...OPTS, extraLabels: { app: 'not-web', team: 'sre', 'netprobe.dev/run': 'other' } });
    expect(pod.metadata!.labels).to.include({ app: 'web', tier: 'front', team: 'sre', 'netprobe.dev/run': 'abc123' });
  });

  it('an identity that has its own managed-by label keeps it (selection wins), and the run label still marks the pod', () => {
    const helm: SourceIdentity = { ...SOURCE, labels: { app: 'web', 'app.kubernetes.io/managed-by': 'Helm' } };
    const pod = probePod('p', helm, OPTS);
    expect(pod.metadata!.labels).to.include({ app: 'web', 'app.kubernetes.io/managed-by': 'Helm', 'netprobe.dev/run': 'abc123' });
  });

  it('runs the probe image\'s agent and does not mount a service account token', () => {
    const pod = probePod('p', SOURCE, OPTS);
    expect(pod.spec!.containers[0]!.image).to.equal(OPTS.probeImage);
    expect(pod.spec!.automountServiceAccountToken).to.equal(false);
  });
});

describe('echo servers stand in for the target', () => {
  it('carry the target\'s labels and serve its ports, with an in-pod start check on the same ports', () => {
    const pod = serverPod('e', SERVER, OPTS);
    expect(pod.metadata!.labels).to.include({ app: 'ghost' });
    const c = pod.spec!.containers[0]!;
    expect(c.image).to.equal(OPTS.echoImage);
    expect(c.command).to.deep.equal([AGENT, 'serve', '--tcp', '8080,9090', '--udp', '9000']);
    expect(c.startupProbe?.exec?.command).to.deep.equal([AGENT, 'check', '--tcp', '8080,9090', '--udp', '9000']);
    // A startup probe stops once it passes: a periodic exec readiness check on 50 servers costs the node
    // 50 container execs a second for the whole run.
    expect(c.readinessProbe).to.equal(undefined);
    expect(c.ports).to.deep.equal([
      { containerPort: 8080, protocol: 'TCP' },
      { containerPort: 9090, protocol: 'TCP' },
      { containerPort: 9000, protocol: 'UDP' },
    ]);
  });
});

describe('configured pod options are applied', () => {
  const opts: PodOptions = {
    ...OPTS,
    imagePullSecrets: ['regcred'],
    annotations: { 'policy.example.com/exempt': 'false' },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'net', effect: 'NoSchedule' }],
  };
  for (const [what, pod] of [
    ['probe pod', probePod('p', SOURCE, opts)],
    ['echo server', serverPod('e', SERVER, opts)],
  ] as const) {
    it(what, () => {
      expect(pod.spec!.imagePullSecrets).to.deep.equal([{ name: 'regcred' }]);
      expect(pod.metadata!.annotations).to.include({ 'policy.example.com/exempt': 'false' });
      expect(pod.spec!.nodeSelector).to.deep.equal({ 'kubernetes.io/os': 'linux' });
      expect(pod.spec!.tolerations).to.deep.equal(opts.tolerations);
      expect(restrictedViolations(pod)).to.deep.equal([]);
    });
  }

  it('leaves them out when none are configured', () => {
    const pod = probePod('p', SOURCE, OPTS);
    expect(pod.spec).to.not.have.any.keys('imagePullSecrets', 'nodeSelector', 'tolerations');
  });
});

describe('the ephemeral probe container (probing from inside a real pod)', () => {
  it('is held to Pod Security "restricted" on its own, whatever the pod sets', () => {
    const pod = probePod('p', SOURCE, OPTS);
    delete pod.spec!.securityContext;
    pod.spec!.ephemeralContainers = [ephemeralProbeContainer('netprobe-abc123', OPTS)];
    expect(restrictedViolations(pod)).to.deep.equal([]);
  });

  it('ends itself at the run deadline and carries the run id that `stop` finds it by', () => {
    const c = ephemeralProbeContainer('netprobe-abc123', OPTS);
    expect(c.command).to.deep.equal([AGENT, 'sleep', '--for', '900s', '--token', 'abc123']);
    // The API rejects resources, ports and probes on ephemeral containers.
    expect(c).to.not.have.any.keys('resources', 'ports', 'readinessProbe', 'startupProbe');
  });
});
