// What netprobe knows of the cluster's own address space, and whether an address lies outside it. A control
// probe from netprobe's machine vouches for a destination only when that machine sees the same host the
// pod would: never for loopback or link-local (each host has its own), nor for pod or Service addresses
// (netprobe's machine may be a node, or route into the cluster, where a policy never applies).
import type { ClusterSnapshot } from '../model/cluster.ts';
import { cidrContains, formatIP, parseIP } from '../model/cidr.ts';

export interface ClusterAddresses {
  /** Ranges not outside: host-local ones and the cluster's, each with what it is ("the pod range of node n1"). */
  ranges: { cidr: string; what: string }[];
  /** Single addresses inside the cluster (pod IPs, ClusterIPs), canonical text -> what it is. */
  addresses: Record<string, string>;
}

/** Ranges no control probe may vouch for on any cluster: each host has its own. */
const HOST_LOCAL: { cidr: string; what: string }[] = [
  { cidr: '127.0.0.0/8', what: 'a loopback address' },
  { cidr: '::1/128', what: 'a loopback address' },
  { cidr: '169.254.0.0/16', what: 'a link-local address' },
  { cidr: 'fe80::/10', what: 'a link-local address' },
  { cidr: '0.0.0.0/8', what: 'an unspecified address' },
  { cidr: '::/128', what: 'an unspecified address' },
];

/** Pod IPs, Service ClusterIPs, node pod ranges and Service ranges the snapshot knows of. */
export function clusterAddresses(snapshot: ClusterSnapshot): ClusterAddresses {
  const known: ClusterAddresses = { ranges: [...HOST_LOCAL], addresses: {} };
  const note = (ip: string | undefined, what: string): void => {
    const canonical = ip === undefined ? undefined : canonicalIP(ip);
    if (canonical !== undefined && !(canonical in known.addresses)) known.addresses[canonical] = what;
  };
  for (const p of snapshot.pods) if (!p.hostNetwork) for (const ip of p.ips) note(ip, `the IP of pod ${p.namespace}/${p.name}`);
  for (const s of [...snapshot.services, ...(snapshot.clusterDns ? [snapshot.clusterDns] : [])]) {
    for (const ip of s.clusterIPs) note(ip, `the ClusterIP of Service ${s.namespace}/${s.name}`);
  }
  const net = snapshot.network;
  if (net) {
    note(net.kubernetesServiceIP, 'the ClusterIP of Service default/kubernetes');
    for (const n of net.podCIDRs) known.ranges.push({ cidr: n.cidr, what: `the pod range of node ${n.node}` });
    for (const cidr of net.serviceCIDRs) known.ranges.push({ cidr, what: 'the cluster\'s Service range' });
  }
  return known;
}

/** Why a control probe from netprobe's own machine may not vouch for `address`; undefined when it may. */
export function whyNotOutside(address: string, known: ClusterAddresses): string | undefined {
  const canonical = canonicalIP(address);
  if (canonical === undefined) return undefined;
  for (const r of known.ranges) {
    if (cidrContains(r.cidr, canonical)) return `${address} is ${r.what}${r.cidr.endsWith('/128') || r.cidr.endsWith('/32') ? '' : ` (${r.cidr})`}`;
  }
  const what = known.addresses[canonical];
  return what ? `${address} is ${what}` : undefined;
}

/** One text form per address; an IPv4-mapped IPv6 address reads as its IPv4 address. */
function canonicalIP(address: string): string | undefined {
  const ip = parseIP(address);
  if (!ip) return undefined;
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return formatIP({ family: 4, value: ip.value & 0xffffffffn });
  return formatIP(ip);
}
