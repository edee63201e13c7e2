// Suite peers and ports -> the engine's endpoints and connections, against pods and services read from
// manifests. Pure. A `pods` peer that matches no known pod gets a stand-in carrying labels that satisfy its
// selector (what `netprobe run` would start); names (hosts, URLs) that are not IP literals cannot be
// predicted without DNS and are reported as unresolved.

import type { Peer, PortRef, Protocol } from '../suite/model.ts';
import { firstAddress, parseIP } from '../model/cidr.ts';
import type { ServiceInfo } from '../model/cluster.ts';
import { compileSelector, standInLabels } from '../model/selectors.ts';
import type { Endpoint } from './types.ts';
import type { L4Protocol, PodInfo } from '../model/cluster.ts';

export interface PeerWorld {
  pods: readonly PodInfo[];
  services: readonly ServiceInfo[];
}

export type PeerResolution =
  | {
      ok: true;
      endpoints: Endpoint[];
      /** Set when the peer is a Service: its ports translate to target ports. */
      service?: ServiceInfo;
      /** Set when a stand-in pod was made up because no known pod matches. */
      standIn?: boolean;
      /** Set for URLs: the port the URL names (or its scheme's default). */
      port?: number;
    }
  | { ok: false; reason: string };

const byNamespace = new WeakMap<readonly PodInfo[], Map<string, PodInfo[]>>();

/** The pods of one namespace (indexed once per pod list: do not change the list after first use). */
function podsIn(world: PeerWorld, namespace: string): readonly PodInfo[] {
  let index = byNamespace.get(world.pods);
  if (index === undefined) {
    index = new Map();
    for (const p of world.pods) {
      const list = index.get(p.namespace);
      if (list === undefined) index.set(p.namespace, [p]);
      else list.push(p);
    }
    byNamespace.set(world.pods, index);
  }
  return index.get(namespace) ?? [];
}

function ipEndpoint(host: string): Endpoint | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return parseIP(bare) === undefined ? undefined : { ip: bare };
}

function podsPeer(peer: Extract<Peer, { kind: 'pods' }>, world: PeerWorld): PeerResolution {
  const match = compileSelector(peer.podSelector);
  const pods = podsIn(world, peer.namespace).filter(
    (p) =>
      match(p.labels) &&
      (peer.serviceAccount === undefined || (p.serviceAccount ?? 'default') === peer.serviceAccount),
  );
  if (pods.length > 0) return { ok: true, endpoints: pods };
  const labels = standInLabels(peer.podSelector);
  if (labels === undefined) return { ok: false, reason: `no pod in ${peer.namespace} can match the selector` };
  const standIn: PodInfo = { namespace: peer.namespace, name: 'stand-in', labels, ips: [], containerPorts: [] };
  if (peer.serviceAccount !== undefined) standIn.serviceAccount = peer.serviceAccount;
  return { ok: true, endpoints: [standIn], standIn: true };
}

/** `name.namespace.svc` or `name.namespace.svc.cluster.local`: a Service by its cluster DNS name. */
export function serviceName(host: string): { namespace: string; name: string } | undefined {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$/.exec(host.toLowerCase());
  return m ? { name: m[1]!, namespace: m[3]! } : undefined;
}

/**
 * Cluster DNS when the manifests do not include it: the conventional CoreDNS/kube-dns shape (Service
 * kube-system/kube-dns selecting k8s-app=kube-dns pods that serve `dns` 53/UDP and `dns-tcp` 53/TCP).
 */
export const ASSUMED_CLUSTER_DNS: { service: ServiceInfo; pod: PodInfo } = {
  service: {
    namespace: 'kube-system',
    name: 'kube-dns',
    selector: { 'k8s-app': 'kube-dns' },
    ports: [
      { name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' },
    ],
    clusterIPs: [],
  },
  pod: {
    namespace: 'kube-system',
    name: 'coredns (assumed)',
    labels: { 'k8s-app': 'kube-dns' },
    ips: [],
    containerPorts: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  },
};

function servicePeer(namespace: string, name: string, world: PeerWorld): PeerResolution {
  const svc = world.services.find((s) => s.namespace === namespace && s.name === name);
  if (svc === undefined) {
    const dns = ASSUMED_CLUSTER_DNS;
    if (namespace === dns.service.namespace && name === dns.service.name) {
      const real = podsIn(world, namespace).filter((p) => p.labels['k8s-app'] === 'kube-dns');
      return { ok: true, endpoints: real.length > 0 ? real : [dns.pod], service: dns.service, standIn: real.length === 0 };
    }
    return { ok: false, reason: `no Service ${namespace}/${name} in the manifests` };
  }
  if (svc.selector === undefined) return { ok: false, reason: `Service ${namespace}/${name} has no selector` };
  const match = compileSelector({ matchLabels: svc.selector });
  const pods = podsIn(world, svc.namespace).filter((p) => match(p.labels));
  return pods.length > 0
    ? { ok: true, endpoints: pods, service: svc }
    : { ok: false, reason: `Service ${namespace}/${name} selects no pod in the manifests` };
}

const URL_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

export function resolvePeer(peer: Peer, world: PeerWorld): PeerResolution {
  switch (peer.kind) {
    case 'pods':
      return podsPeer(peer, world);
    case 'workload': {
      const pods = podsIn(world, peer.namespace).filter(
        (p) =>
          (peer.workloadKind === 'Pod'
            ? p.name === peer.name && p.workload === undefined
            : p.workload?.kind === peer.workloadKind && p.workload.name === peer.name),
      );
      return pods.length > 0
        ? { ok: true, endpoints: pods }
        : { ok: false, reason: `no ${peer.workloadKind} ${peer.namespace}/${peer.name} in the manifests` };
    }
    case 'service':
      return servicePeer(peer.namespace, peer.name, world);
    case 'host': {
      const ep = ipEndpoint(peer.host);
      if (ep) return { ok: true, endpoints: [ep] };
      const svc = serviceName(peer.host);
      return svc ? servicePeer(svc.namespace, svc.name, world) : { ok: false, reason: `${peer.host} is a name; prediction needs an IP address` };
    }
    case 'cidr': {
      const ip = firstAddress(peer.cidr);
      return ip ? { ok: true, endpoints: [{ ip }] } : { ok: false, reason: `${peer.cidr} is not a CIDR` };
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(peer.url);
      } catch {
        return { ok: false, reason: `${peer.url} is not a URL` };
      }
      const port = url.port !== '' ? Number(url.port) : URL_PORTS[url.protocol];
      const ep = ipEndpoint(url.hostname);
      const svc = serviceName(url.hostname);
      let r: PeerResolution;
      if (ep) r = { ok: true, endpoints: [ep] };
      else if (svc) r = servicePeer(svc.namespace, svc.name, world);
      else return { ok: false, reason: `${url.hostname} is a name; prediction needs an IP address` };
      return r.ok && port !== undefined ? { ...r, port } : r;
    }
  }
}

/** The L4 protocol a suite protocol travels on. */
export function l4Protocol(p: Protocol): L4Protocol {
  if (p === 'UDP' || p === 'SCTP') return p;
  return p === 'DNS' ? 'UDP' : 'TCP';
}

/** The port a protocol implies when the expectation names none. */
export function defaultPort(p: Protocol): number | undefined {
  return p === 'HTTP' ? 80 : p === 'HTTPS' ? 443 : p === 'DNS' ? 53 : undefined;
}

/**
 * A destination port through a Service: a service port (by number or name) becomes its targetPort,
 * a number or a container port name. Ports the Service does not list stay as they are.
 */
export function throughService(svc: ServiceInfo, port: number | { name: string }, protocol: L4Protocol): number | { name: string } {
  const sp = svc.ports.find(
    (p) => p.protocol === protocol && (typeof port === 'number' ? p.port === port : p.name === port.name),
  );
  if (sp === undefined) return port;
  return typeof sp.targetPort === 'number' ? sp.targetPort : { name: sp.targetPort };
}

/** A PortRef as the engine's connection port(s); a range as its first and last port. */
export function connectionPorts(ref: PortRef): Array<number | { name: string }> {
  if (ref.kind === 'number') return [ref.port];
  if (ref.kind === 'name') return [{ name: ref.name }];
  return ref.from === ref.to ? [ref.from] : [ref.from, ref.to];
}

/**
 * An endpoint written on the command line: `ns/name` (a pod, or a workload's representative pod),
 * `ns/key=value[,key=value]` (the first pod with those labels, else a stand-in), an IP address, or a
 * CIDR (its first address).
 */
export function resolveEndpointRef(ref: string, world: PeerWorld): { ok: true; endpoint: Endpoint } | { ok: false; reason: string } {
  const ip = ipEndpoint(ref);
  if (ip) return { ok: true, endpoint: ip };
  const slash = ref.indexOf('/');
  if (slash > 0 && parseIP(ref.slice(0, slash)) !== undefined) {
    const first = firstAddress(ref);
    return first ? { ok: true, endpoint: { ip: first } } : { ok: false, reason: `${ref} is not a CIDR` };
  }
  if (slash <= 0) return { ok: false, reason: `${ref}: expected ns/pod, ns/key=value, an IP address or a CIDR` };
  const namespace = ref.slice(0, slash);
  const rest = ref.slice(slash + 1);
  if (rest.includes('=')) {
    const matchLabels: Record<string, string> = {};
    for (const pair of rest.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return { ok: false, reason: `${ref}: expected key=value pairs separated by commas` };
      matchLabels[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const r = podsPeer({ kind: 'pods', namespace, podSelector: { matchLabels } }, world);
    return r.ok ? { ok: true, endpoint: r.endpoints[0]! } : r;
  }
  const pod =
    podsIn(world, namespace).find((p) => p.name === rest) ?? podsIn(world, namespace).find((p) => p.workload?.name === rest);
  return pod ? { ok: true, endpoint: pod } : { ok: false, reason: `no pod or workload ${ref} in the manifests` };
}
