// Input types of the policy engine. They mirror the networking.k8s.io/v1 API shapes closely enough that a
// parsed manifest can be passed as is, and nothing more: the engine never talks to a cluster.

// Label selectors are the suite model's type (one definition for the whole of netprobe).
import type { LabelSelector } from '../suite/model.ts';
export type { LabelSelector, LabelSelectorRequirement, SelectorOperator } from '../suite/model.ts';

export type Labels = Readonly<Record<string, string>>;

/** The L4 protocols NetworkPolicy knows. TCP is the default wherever a protocol is optional. */
export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

export type PolicyType = 'Ingress' | 'Egress';

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  protocol?: L4Protocol;
  /** A number, or the name of a container port on the destination pod. Absent: every port. */
  port?: number | string;
  /** With a numeric `port`: the inclusive end of a port range. */
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: PolicyType[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

export interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: PolicySpec;
}

export interface NamespaceInfo {
  name: string;
  labels: Labels;
}

export interface ContainerPort {
  name?: string;
  port: number;
  /** Default TCP. */
  protocol?: L4Protocol;
}

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Labels;
  ips: string[];
  containerPorts: ContainerPort[];
  /**
   * A hostNetwork pod shares its node's network namespace. NetworkPolicy leaves its behaviour to the
   * implementation; this engine follows the most common one (see evaluate.ts): policies neither select it
   * nor match it by pod or namespace selector, and its traffic is judged as node traffic (ipBlock only).
   */
  hostNetwork?: boolean;
  serviceAccount?: string;
  /** The workload a representative pod was made from (manifests), for resolving suite workload peers. */
  workload?: { kind: string; name: string };
}

/** An address that is not a pod the engine knows (external hosts, nodes, a CIDR's representative). */
export interface IPEndpoint {
  ip: string;
}

export type Endpoint = PodInfo | IPEndpoint;

export type ConnectionPort = number | { name: string };

export interface Connection {
  source: Endpoint;
  destination: Endpoint;
  port: ConnectionPort;
  /** Default TCP. */
  protocol?: L4Protocol;
}

/** Everything the engine judges against. */
export interface ClusterState {
  policies: NetworkPolicy[];
  namespaces: NamespaceInfo[];
  pods: PodInfo[];
}

export function isPod(e: Endpoint): e is PodInfo {
  return 'namespace' in e && 'labels' in e;
}

export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

export function policyKey(p: NetworkPolicy): string {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}

export function endpointLabel(e: Endpoint): string {
  return isPod(e) ? podKey(e) : e.ip;
}
