// Plain data read from a cluster. The plan is computed from these alone (no API objects leak out
// of src/cluster), so planning stays pure and testable.

export interface ContainerPortInfo {
  name?: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A port a kubelet readiness probe checks: proof that something listens there while the pod is Ready. */
export interface ProbedPort {
  port: number | string;
  kind: 'tcpSocket' | 'httpGet' | 'grpc';
}

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  serviceAccount: string;
  ip?: string;
  phase: string;
  ready: boolean;
  hostNetwork: boolean;
  containerPorts: ContainerPortInfo[];
  readinessPorts: ProbedPort[];
  /** Annotations (mesh injection reads them: `sidecar.istio.io/status`, `linkerd.io/inject`). */
  annotations?: Record<string, string>;
  /** Containers that run beside the app: every container, and init containers with restartPolicy Always (native sidecars). */
  runningContainers?: string[];
  /** Set on pods netprobe created itself. */
  netprobeRole?: string;
}

export interface ServicePortInfo {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  clusterIP?: string;
  selector: Record<string, string>;
  ports: ServicePortInfo[];
  /** Publishes pods that are not Ready too (netprobe's pods included: src/run/not-ready-services.ts). */
  publishNotReadyAddresses?: true;
}

export interface WorkloadInfo {
  namespace: string;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  name: string;
  selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[] };
  templateLabels: Record<string, string>;
  serviceAccount: string;
  /** The pod template shares its node's network namespace. */
  hostNetwork?: boolean;
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
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
  pods: PodInfo[];
  services: ServiceInfo[];
  workloads: WorkloadInfo[];
  /** "namespace/name" of every ServiceAccount in the namespaces read. */
  serviceAccounts: string[];
  /** The cluster DNS Service (kube-system/kube-dns), when present. */
  clusterDns?: ServiceInfo;
  /** Pod and Service ranges, where readable: control probes must never vouch for them. */
  network?: ClusterNetwork;
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
