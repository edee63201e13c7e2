// Input types of the policy engine. They mirror the networking.k8s.io/v1 API shapes closely enough that a
// parsed manifest can be passed as is, and nothing more: the engine never talks to a cluster.

// Pods, namespaces and label selectors are the model's types (src/model: one definition for all of netprobe).
import type { IPBlock } from '../model/cidr.ts';
import type { L4Protocol, NamespaceInfo, PodInfo } from '../model/cluster.ts';
import type { LabelSelector } from '../model/selectors.ts';

export type PolicyType = 'Ingress' | 'Egress';

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

/** An address that is not a pod the engine knows (external hosts, nodes, a CIDR's representative). */
export interface IPEndpoint {
  ip: string;
  /** What the address stands for, when more than itself (a part of a CIDR: `203.0.113.128/25`). */
  label?: string;
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
  return isPod(e) ? podKey(e) : (e.label ?? e.ip);
}
