// Reads what planning needs from the API: a handful of list calls per namespace, whatever the number
// of expectations.
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import type { ClusterNetwork, ClusterSnapshot, ContainerPort, DisruptionBudgetInfo, LivePod, ProbedPort, ServiceInfo, WorkloadInfo } from '../model/cluster.ts';
import { ROLE_LABEL } from './labels.ts';
import { isNotFound } from './errors.ts';

type L4 = 'TCP' | 'UDP' | 'SCTP';
const l4 = (p: string | undefined): L4 => (p === 'UDP' || p === 'SCTP' ? p : 'TCP');

export async function readSnapshot(kc: k8s.KubeConfig, namespaces: readonly string[]): Promise<ClusterSnapshot> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const apps = apiClient(kc, k8s.AppsV1Api);
  const policy = apiClient(kc, k8s.PolicyV1Api);
  // One get per namespace, not a cluster-wide list: a Role in each namespace can allow it.
  const [found, network] = await Promise.all([
    Promise.all([...new Set(namespaces)].map((name) => core.readNamespace({ name }).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err))))),
    readNetwork(kc),
  ]);
  const existing = found.filter((n): n is k8s.V1Namespace => n !== undefined);
  const wanted = existing.map((n) => n.metadata?.name ?? '');

  const perNs = await Promise.all(
    wanted.map(async (namespace) => {
      const [pods, services, sas, deps, sts, dss, pdbs] = await Promise.all([
        core.listNamespacedPod({ namespace }),
        core.listNamespacedService({ namespace }),
        core.listNamespacedServiceAccount({ namespace }),
        apps.listNamespacedDeployment({ namespace }),
        apps.listNamespacedStatefulSet({ namespace }),
        apps.listNamespacedDaemonSet({ namespace }),
        // Best effort: needed (and granted by `netprobe rbac`) only where netprobe's pods go.
        policy.listNamespacedPodDisruptionBudget({ namespace }).catch(() => undefined),
      ]);
      return {
        pods: pods.items.map(toPod),
        services: services.items.map(toService),
        serviceAccounts: sas.items.map((s) => `${namespace}/${s.metadata?.name}`),
        workloads: [
          ...deps.items.map((d) => toWorkload('Deployment', d)),
          ...sts.items.map((s) => toWorkload('StatefulSet', s)),
          ...dss.items.map((d) => toWorkload('DaemonSet', d)),
        ],
        disruptionBudgets: (pdbs?.items ?? []).map(toDisruptionBudget),
      };
    }),
  );
  const services = perNs.flatMap((n) => n.services);
  const snapshot: ClusterSnapshot = {
    namespaces: existing.map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {}, annotations: n.metadata?.annotations ?? {} })),
    pods: perNs.flatMap((n) => n.pods),
    services,
    workloads: perNs.flatMap((n) => n.workloads),
    serviceAccounts: perNs.flatMap((n) => n.serviceAccounts),
    disruptionBudgets: perNs.flatMap((n) => n.disruptionBudgets),
  };
  const dns = services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
  if (dns) snapshot.clusterDns = dns;
  snapshot.network = network;
  return snapshot;
}

/**
 * The cluster's pod and Service ranges. Each read is best effort: an identity without the (optional)
 * permission gets less to refuse control probes by, never a failed run; pod IPs and ClusterIPs in the
 * snapshot still count.
 */
async function readNetwork(kc: k8s.KubeConfig): Promise<ClusterNetwork> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const networking = apiClient(kc, k8s.NetworkingV1Api);
  const [nodes, cidrs, kubernetes] = await Promise.all([
    core.listNode().catch(() => undefined),
    networking.listServiceCIDR().catch(() => undefined),
    core.listNamespacedService({ namespace: 'default', fieldSelector: 'metadata.name=kubernetes' }).catch(() => undefined),
  ]);
  const network: ClusterNetwork = {
    podCIDRs: (nodes?.items ?? []).flatMap((n) => (n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])).map((cidr) => ({ node: n.metadata?.name ?? '', cidr }))),
    serviceCIDRs: (cidrs?.items ?? []).flatMap((c) => c.spec?.cidrs ?? []),
  };
  const ip = kubernetes?.items[0]?.spec?.clusterIP;
  if (ip) network.kubernetesServiceIP = ip;
  return network;
}

export function toPod(p: k8s.V1Pod): LivePod {
  const containers = p.spec?.containers ?? [];
  const containerPorts: ContainerPort[] = containers.flatMap((c) =>
    (c.ports ?? []).map((port) => {
      const info: ContainerPort = { port: port.containerPort, protocol: l4(port.protocol) };
      if (port.name) info.name = port.name;
      return info;
    }),
  );
  const readinessPorts: ProbedPort[] = containers.flatMap((c): ProbedPort[] => {
    const r = c.readinessProbe;
    if (r?.tcpSocket) return [{ port: intOrString(r.tcpSocket.port), kind: 'tcpSocket' }];
    if (r?.httpGet) return [{ port: intOrString(r.httpGet.port), kind: 'httpGet' }];
    if (r?.grpc) return [{ port: r.grpc.port, kind: 'grpc' }];
    return [];
  });
  const ready = (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const pod: LivePod = {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    labels: p.metadata?.labels ?? {},
    serviceAccount: p.spec?.serviceAccountName ?? 'default',
    phase: p.status?.phase ?? 'Unknown',
    ready,
    hostNetwork: p.spec?.hostNetwork === true,
    containerPorts,
    readinessPorts,
    ips: podIPs(p.status),
  };
  pod.annotations = p.metadata?.annotations ?? {};
  pod.runningContainers = [
    ...containers.map((c) => c.name),
    ...(p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  ];
  const role = p.metadata?.labels?.[ROLE_LABEL];
  if (role) pod.netprobeRole = role;
  return pod;
}

/** status.podIPs, with status.podIP first (the primary address). */
function podIPs(status: k8s.V1PodStatus | undefined): string[] {
  const primary = status?.podIP ? [status.podIP] : [];
  return [...new Set([...primary, ...(status?.podIPs ?? []).map((a) => a.ip)])].filter((ip) => ip !== '');
}

/** spec.clusterIPs, spec.clusterIP first; none for a headless Service. */
function serviceIPs(spec: k8s.V1ServiceSpec | undefined): string[] {
  const ips = [spec?.clusterIP, ...(spec?.clusterIPs ?? [])].filter((ip): ip is string => ip !== undefined && ip !== '' && ip !== 'None');
  return [...new Set(ips)];
}

function intOrString(v: unknown): number | string {
  if (typeof v === 'number') return v;
  const s = String(v);
  return /^\d+$/.test(s) ? Number(s) : s;
}

export function toService(s: k8s.V1Service): ServiceInfo {
  const info: ServiceInfo = {
    namespace: s.metadata?.namespace ?? '',
    name: s.metadata?.name ?? '',
    clusterIPs: serviceIPs(s.spec),
    ports: (s.spec?.ports ?? []).map((p) => {
      const port: ServiceInfo['ports'][number] = {
        port: p.port,
        targetPort: p.targetPort === undefined ? p.port : intOrString(p.targetPort),
        protocol: l4(p.protocol),
      };
      if (p.name) port.name = p.name;
      return port;
    }),
  };
  if (s.spec?.selector) info.selector = s.spec.selector;
  if (s.spec?.publishNotReadyAddresses === true) info.publishNotReadyAddresses = true;
  return info;
}

function toDisruptionBudget(b: k8s.V1PodDisruptionBudget): DisruptionBudgetInfo {
  const min = b.spec?.minAvailable;
  return {
    namespace: b.metadata?.namespace ?? '',
    name: b.metadata?.name ?? '',
    selector: (b.spec?.selector ?? {}) as DisruptionBudgetInfo['selector'],
    needsScale: b.spec?.maxUnavailable !== undefined || (typeof min === 'string' && min.endsWith('%')),
  };
}

function toWorkload(
  kind: WorkloadInfo['kind'],
  w: { metadata?: k8s.V1ObjectMeta; spec?: { selector: k8s.V1LabelSelector; template: k8s.V1PodTemplateSpec } },
): WorkloadInfo {
  return {
    namespace: w.metadata?.namespace ?? '',
    kind,
    name: w.metadata?.name ?? '',
    selector: (w.spec?.selector ?? {}) as WorkloadInfo['selector'],
    templateLabels: w.spec?.template.metadata?.labels ?? {},
    serviceAccount: w.spec?.template.spec?.serviceAccountName ?? 'default',
    hostNetwork: w.spec?.template.spec?.hostNetwork === true,
  };
}
