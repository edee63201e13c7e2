// The pods netprobe starts: probe pods (carrying a source's identity) and echo servers (standing in
// for a target). Both satisfy Pod Security "restricted" and end themselves if netprobe dies.
import type { PodOwner } from '../cluster/run-owner.ts';
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { SOCKET_TABLES_SCRIPT } from './listening.ts';
import { CREATED_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, ROLE_LABEL, RUN_LABEL } from '../cluster/labels.ts';
import { MESH_OPT_OUT_ANNOTATIONS, MESH_OPT_OUT_LABELS } from '../plan/mesh.ts';
import type { ServerSpec, SourceIdentity } from '../plan/types.ts';

/** Path of the agent inside the probe and echo images (see probes/). */
export const AGENT = '/usr/local/bin/netprobe-agent';

export interface PodOptions {
  runId: string;
  probeImage: string;
  echoImage: string;
  /** Seconds after which the kubelet ends the pod even if netprobe never comes back. */
  deadlineSeconds: number;
  imagePullSecrets: string[];
  extraLabels: Record<string, string>;
  annotations: Record<string, string>;
  nodeSelector: Record<string, string>;
  tolerations: { key?: string; operator?: string; value?: string; effect?: string }[];
  /**
   * The run's anchor in each namespace (src/cluster/run-owner.ts), by namespace: the controller owner of
   * every pod made there, so no workload controller adopts the pod and garbage collection removes it with
   * the anchor. Absent (doctor's own pods): no owner.
   */
  owners?: ReadonlyMap<string, PodOwner>;
}

/**
 * A readiness gate nobody ever sets: the pod's Ready condition stays False, so no Service ever has it as a
 * ready endpoint (netprobe waits on ContainersReady instead). Its labels may match a real Service.
 */
export const NEVER_READY_GATE = 'netprobe.dev/never-ready';

const UID = 65532;

function restrictedContainerSecurity() {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: UID,
    runAsGroup: UID,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function basePod(name: string, namespace: string, labels: Record<string, string>, role: string, opts: PodOptions): V1Pod {
  // The identity labels come first and win: a policy must select this pod exactly as it selects the workload.
  const allLabels: Record<string, string> = { ...opts.extraLabels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...labels };
  allLabels[RUN_LABEL] = opts.runId;
  allLabels[ROLE_LABEL] = role;
  // Out of every mesh, even where the source's own labels ask for one: a sidecar would complete handshakes
  // for any destination (and its init container would fail Pod Security "restricted").
  Object.assign(allLabels, MESH_OPT_OUT_LABELS);
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: allLabels,
      annotations: { ...opts.annotations, ...MESH_OPT_OUT_ANNOTATIONS, [CREATED_ANNOTATION]: new Date().toISOString() },
    },
    spec: {
      readinessGates: [{ conditionType: NEVER_READY_GATE }],
      restartPolicy: 'Never',
      activeDeadlineSeconds: opts.deadlineSeconds,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: UID,
        runAsGroup: UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [],
    },
  };
  const owner = opts.owners?.get(namespace);
  if (owner) pod.metadata!.ownerReferences = [{ ...owner, controller: true }];
  if (Object.keys(opts.nodeSelector).length > 0) pod.spec!.nodeSelector = opts.nodeSelector;
  if (opts.tolerations.length > 0) pod.spec!.tolerations = opts.tolerations;
  if (opts.imagePullSecrets.length > 0) pod.spec!.imagePullSecrets = opts.imagePullSecrets.map((n) => ({ name: n }));
  return pod;
}

/** Every probe pod and echo server asks for this much: what a quota is charged per pod (src/plan/waves.ts). */
export const RESOURCES = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '500m', memory: '64Mi' } };

export function probePod(name: string, source: SourceIdentity, opts: PodOptions): V1Pod {
  const pod = basePod(name, source.namespace, source.labels, 'source', opts);
  pod.spec!.serviceAccountName = source.serviceAccount;
  pod.spec!.containers = [
    {
      name: 'probe',
      image: opts.probeImage,
      imagePullPolicy: 'IfNotPresent',
      command: [AGENT, 'sleep'],
      securityContext: restrictedContainerSecurity(),
      resources: RESOURCES,
    },
  ];
  return pod;
}

export function serverPod(name: string, server: ServerSpec, opts: PodOptions): V1Pod {
  const pod = basePod(name, server.namespace, server.labels, 'server', opts);
  const ports = (protocol: string, tls: boolean) => server.ports.filter((x) => x.protocol === protocol && (x.tls === true) === tls).map((x) => x.port);
  const tcp = ports('tcp', false);
  const https = ports('tcp', true);
  const udp = ports('udp', false);
  const args = ['serve'];
  if (tcp.length) args.push('--tcp', tcp.join(','));
  if (https.length) args.push('--https', https.join(','));
  if (udp.length) args.push('--udp', udp.join(','));
  const check = ['check'];
  if (tcp.length + https.length) check.push('--tcp', [...tcp, ...https].join(','));
  if (udp.length) check.push('--udp', udp.join(','));
  if (server.ports.some((p) => p.port < 1024)) {
    // A safe sysctl (allowed by "restricted"): lets the non-root server bind ports below 1024.
    pod.spec!.securityContext!.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
  }
  pod.spec!.containers = [
    {
      name: 'echo',
      image: opts.echoImage,
      imagePullPolicy: 'IfNotPresent',
      command: [AGENT, ...args],
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ],
      ports: server.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol.toUpperCase() })),
      // An exec check runs inside the pod: it works whatever the policies let through. A startup probe
      // stops once it passes (the pod is then Ready); a periodic exec readiness check on 50 servers would
      // cost the node 50 container execs a second for the whole run.
      startupProbe: { exec: { command: [AGENT, ...check] }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 600 },
      securityContext: restrictedContainerSecurity(),
      resources: RESOURCES,
    },
  ];
  return pod;
}

/**
 * The probe container added to a real pod (ephemeral containers take no resources, ports or probes). It
 * ends itself after the run's deadline, and at the end of the run netprobe stops it by its token.
 */
export function ephemeralProbeContainer(name: string, opts: PodOptions): V1EphemeralContainer {
  return {
    name,
    image: opts.probeImage,
    imagePullPolicy: 'IfNotPresent',
    command: [AGENT, 'sleep', '--for', `${opts.deadlineSeconds}s`, '--token', opts.runId],
    securityContext: restrictedContainerSecurity(),
  };
}

/**
 * --verify-targets: a container added to a target pod that prints its network namespace's TCP socket
 * tables and exits (src/probe/listening.ts). Like every ephemeral container it stays in the pod's spec,
 * stopped, until the pod is replaced.
 */
export function socketReaderContainer(name: string, probeImage: string): V1EphemeralContainer {
  return {
    name,
    image: probeImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/busybox', 'sh', '-c', SOCKET_TABLES_SCRIPT],
    securityContext: restrictedContainerSecurity(),
  };
}
