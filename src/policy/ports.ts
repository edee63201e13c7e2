// Port matching for NetworkPolicy rules. A rule's `ports` list is an OR; an absent or empty list matches
// every port and protocol. Each entry defaults to TCP; an absent `port` matches every port of that
// protocol; `endPort` makes an inclusive range; a named port is looked up on the DESTINATION pod's
// container ports (for ingress the selected pod, for egress the peer being connected to), so a named port
// never matches a destination that is not a pod.

import type { ConnectionPort, NetworkPolicyPort } from './types.ts';
import type { ContainerPort, L4Protocol, PodInfo } from '../model/cluster.ts';

export const DEFAULT_PROTOCOL: L4Protocol = 'TCP';

/** The concrete port of a connection: its number and protocol, and the destination's container ports. */
export interface PortContext {
  port: number;
  protocol: L4Protocol;
  /** The destination pod, when the destination is a pod (named ports resolve on it). */
  destination?: PodInfo | undefined;
}

function containerProtocol(c: ContainerPort): L4Protocol {
  return c.protocol ?? DEFAULT_PROTOCOL;
}

/** The number of the destination pod's container port `name` for `protocol`, if it has one. */
export function resolveNamedPort(pod: PodInfo, name: string, protocol: L4Protocol): number | undefined {
  for (const c of pod.containerPorts) {
    if (c.name === name && containerProtocol(c) === protocol) return c.port;
  }
  return undefined;
}

/** Resolves a connection's port (a number, or a name on the destination pod); undefined if it cannot. */
export function resolveConnectionPort(
  port: ConnectionPort,
  protocol: L4Protocol,
  destination: PodInfo | undefined,
): number | undefined {
  if (typeof port === 'number') return port;
  return destination === undefined ? undefined : resolveNamedPort(destination, port.name, protocol);
}

export function policyPortMatches(entry: NetworkPolicyPort, ctx: PortContext): boolean {
  if ((entry.protocol ?? DEFAULT_PROTOCOL) !== ctx.protocol) return false;
  const p = entry.port;
  if (p === undefined) return true;
  if (typeof p === 'number') {
    return entry.endPort === undefined ? ctx.port === p : ctx.port >= p && ctx.port <= entry.endPort;
  }
  // A numeric string is what some YAML writers produce for an IntOrString port; treat it as the number.
  if (/^\d+$/.test(p)) return policyPortMatches({ ...entry, port: Number(p) }, ctx);
  if (ctx.destination === undefined) return false;
  return resolveNamedPort(ctx.destination, p, ctx.protocol) === ctx.port;
}

/** Index of the first entry of `ports` that matches, -1 if none; `ports` absent or empty matches all (0). */
export function matchPorts(ports: readonly NetworkPolicyPort[] | undefined, ctx: PortContext): number {
  if (ports === undefined || ports.length === 0) return 0;
  return ports.findIndex((e) => policyPortMatches(e, ctx));
}

export function formatPolicyPort(entry: NetworkPolicyPort): string {
  const proto = entry.protocol ?? DEFAULT_PROTOCOL;
  if (entry.port === undefined) return `any/${proto}`;
  if (entry.endPort !== undefined) return `${entry.port}-${entry.endPort}/${proto}`;
  return `${entry.port}/${proto}`;
}

export function formatPorts(ports: readonly NetworkPolicyPort[] | undefined): string {
  if (ports === undefined || ports.length === 0) return 'all ports';
  return ports.map(formatPolicyPort).join(', ');
}
