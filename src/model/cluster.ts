// Plain data read from a cluster. The plan is computed from these alone (no API objects leak out
// of src/cluster), so planning stays pure and testable. The manifest reader (src/policy/manifests.ts)
// makes the same PodInfo, ServiceInfo and NamespaceInfo.

import type { LabelSelector, Labels } from './selectors.ts';

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: L4Protocol;
}

/** A port a kubelet readiness probe checks: proof that something listens there while the pod is Ready. */
export interface ProbedPort {
  port: number | string;
  kind: 'tcpSocket' | 'httpGet' | 'grpc';
}

/** A pod as netprobe knows it, read from a live cluster (LivePod) or made from a manifest. */
export interface PodInfo {
  namespace: string;
  name: string;
  labels: Labels;
  /** status.podIPs, the primary (status.podIP) first; none for a pod made from a manifest. */
  ips: string[];
  containerPorts: ContainerPort[];
  /**
   * A hostNetwork pod shares its node's network namespace. NetworkPolicy leaves its behaviour to the
   * implementation; the policy engine follows the most common one (src/policy/evaluate.ts): policies
   * neither select it nor match it by pod or namespace selector, and its traffic is node traffic.
   */
  hostNetwork?: boolean;
  serviceAccount?: string;
  /** The workload a representative pod was made from (manifests), for resolving suite workload peers. */
  workload?: { kind: string; name: string };
}

/** A pod read from a live cluster: what the plan needs beyond the policy engine's view. */
export interface LivePod extends PodInfo {
  serviceAccount: string;
  hostNetwork: boolean;
  phase: string;
  ready: boolean;
  readinessPorts: ProbedPort[];
  /** Annotations (mesh injection reads them: `sidecar.istio.io/status`, `linkerd.io/inject`). */
  annotations?: Record<string, string>;
  /** Containers that run beside the app: every container, and init containers with restartPolicy Always (native sidecars). */
  runningContainers?: string[];
  /** Set on pods netprobe created itself. */
  netprobeRole?: string;
}

/** The pod's primary address, when it has one. */
export function podIP(pod: PodInfo): string | undefined {
  return pod.ips[0];
}

export interface ServicePortInfo {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol: L4Protocol;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  /** spec.clusterIPs (spec.clusterIP first); empty for a headless Service or one made from a manifest without one. */
  clusterIPs: string[];
  /** Undefined: a Service without a selector (its endpoints are managed by hand). */
  selector?: Record<string, string>;
  ports: ServicePortInfo[];
  /** Publishes pods that are not Ready too (netprobe's pods included: src/run/not-ready-services.ts). */
  publishNotReadyAddresses?: true;
}

export interface WorkloadInfo {
  namespace: string;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  name: string;
  selector: LabelSelector;
  templateLabels: Record<string, string>;
  serviceAccount: string;
  /** The pod template shares its node's network namespace. */
  hostNetwork?: boolean;
}

/** A PodDisruptionBudget, as far as netprobe's pods can affect it (src/run/disruption-budgets.ts). */
export interface DisruptionBudgetInfo {
  namespace: string;
  name: string;
  selector: LabelSelector;
  /**
   * maxUnavailable, or minAvailable as a percentage: the disruption controller needs the scale of every
   * selected pod's controller, which netprobe's pods (controlled by a Lease) do not have.
   */
  needsScale: boolean;
}

export interface NamespaceInfo {
  name: string;
  labels: Labels;
  annotations?: Record<string, string>;
}

/** The cluster's own address ranges, as far as the identity may read them (each part best effort). */
export interface ClusterNetwork {
  /** `spec.podCIDRs` of each node. */
  podCIDRs: { node: string; cidr: string }[];
  /** ServiceCIDR objects (networking.k8s.io/v1). */
  serviceCIDRs: string[];
  /** The ClusterIP of default/kubernetes: the first address of the Service range. */
  kubernetesServiceIP?: string;
}

export interface ClusterSnapshot {
  namespaces: NamespaceInfo[];
  pods: LivePod[];
  services: ServiceInfo[];
  workloads: WorkloadInfo[];
  /** "namespace/name" of every ServiceAccount in the namespaces read. */
  serviceAccounts: string[];
  /** The cluster DNS Service (kube-system/kube-dns), when present. */
  clusterDns?: ServiceInfo;
  /** Pod and Service ranges, where readable: control probes must never vouch for them. */
  network?: ClusterNetwork;
  /** The PodDisruptionBudgets of the namespaces read, where readable. */
  disruptionBudgets?: DisruptionBudgetInfo[];
}

/**
 * What the policy engine needs from a live cluster, as plain objects in the API's JSON form (each with its
 * `kind`), for src/policy/cluster-state.ts to map. Pods netprobe created itself are left out.
 */
export interface PolicyObjects {
  namespaces: Record<string, unknown>[];
  networkPolicies: Record<string, unknown>[];
  pods: Record<string, unknown>[];
  services: Record<string, unknown>[];
  adminNetworkPolicies: Record<string, unknown>[];
  baselineAdminNetworkPolicies: Record<string, unknown>[];
  /** `namespace` or `all namespaces`: what was read. */
  scope: string;
}
