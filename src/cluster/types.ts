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
}

export interface WorkloadInfo {
  namespace: string;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  name: string;
  selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[] };
  templateLabels: Record<string, string>;
  serviceAccount: string;
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
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
