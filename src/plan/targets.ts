// Destination peers -> concrete probe targets, and what is already known about whether they are alive.
import type { PodInfo } from '../cluster/types.ts';
import type { Case, PortRef, Protocol } from '../suite/model.ts';
import { formatSelector } from '../policy/selectors.ts';
import { distinctIdentities, identityKey } from './identity.ts';
import { meshOnPod, type Mesh } from './mesh.ts';
import { isServing, type SnapshotIndex } from './snapshot-index.ts';
import type { L4, ProbeKind, ProbeTarget, ServerSpec } from './types.ts';

export interface TargetResolution {
  targets: ProbeTarget[];
  /** Parts of the destination that cannot be probed, and why. */
  reasons: string[];
  servers: ServerSpec[];
  alive: Record<string, string>;
  controlHosts: { host: string; port: number; l4: L4; aliveKey: string }[];
}

export function l4Of(protocol: Protocol): L4 {
  if (protocol === 'UDP' || protocol === 'DNS') return 'udp';
  if (protocol === 'SCTP') return 'sctp';
  return 'tcp';
}

function probeKindOf(protocol: Protocol): ProbeKind {
  if (protocol === 'HTTP' || protocol === 'HTTPS') return 'http';
  if (protocol === 'DNS') return 'dns';
  return l4Of(protocol);
}

export function aliveKey(host: string, port: number, l4: L4): string {
  return `${host}:${port}/${l4}`;
}

/** The numeric ports a PortRef stands for on one pod; named ports come from its container ports. */
function portsOnPod(ref: PortRef, pod: PodInfo, l4: L4, maxRange: number): number[] | string {
  if (ref.kind === 'number') return [ref.port];
  if (ref.kind === 'range') return rangePorts(ref, maxRange);
  const found = pod.containerPorts.find((p) => p.name === ref.name && p.protocol.toLowerCase() === l4);
  return found ? [found.port] : `pod ${pod.namespace}/${pod.name} defines no ${l4.toUpperCase()} port named "${ref.name}"`;
}

function rangePorts(ref: { from: number; to: number }, maxRange: number): number[] {
  const out: number[] = [];
  for (let p = ref.from; p <= ref.to && out.length < maxRange; p++) out.push(p);
  return out;
}

/** Does the pod's readiness probe check this port (so kubelet vouches that something listens)? */
function readinessCovers(pod: PodInfo, port: number): boolean {
  return pod.readinessPorts.some((r) => {
    if (typeof r.port === 'number') return r.port === port;
    return pod.containerPorts.some((c) => c.name === r.port && c.port === port);
  });
}

function describePort(ref: PortRef | undefined): string {
  if (!ref) return '';
  if (ref.kind === 'number') return String(ref.port);
  if (ref.kind === 'name') return ref.name;
  return `${ref.from}-${ref.to}`;
}

export function resolveTargets(c: Case, idx: SnapshotIndex, opts: { synthesizeMissing: boolean; maxRangePorts: number }): TargetResolution {
  const res: TargetResolution = { targets: [], reasons: [], servers: [], alive: {}, controlHosts: [] };
  const e = c.expectation;
  const l4 = l4Of(e.protocol);
  const kind = probeKindOf(e.protocol);
  const peer = c.to.peer;
  if (c.port?.kind === 'range' && c.port.to - c.port.from + 1 > opts.maxRangePorts) {
    // Not probing a port is not proof about it: the case cannot pass on the part that was left out.
    res.reasons.push(`port range ${c.port.from}-${c.port.to} has ${c.port.to - c.port.from + 1} ports; only the first ${opts.maxRangePorts} are probed`);
  }

  const target = (host: string | { serverKey: string }, port: number, route: ProbeTarget['route'], display: string, aliveKeys: string[]): ProbeTarget => {
    const t: ProbeTarget = { kind, port, route, display, aliveKeys };
    if (typeof host === 'string') t.host = host;
    else t.serverKey = host.serverKey;
    if (kind === 'http') {
      t.scheme = e.protocol === 'HTTPS' ? 'https' : 'http';
      t.path = e.http?.path ?? '/';
      t.method = e.http?.method ?? 'GET';
      t.headers = e.http?.headers ?? {};
    }
    if (kind === 'dns') t.dnsName = e.dnsName ?? 'kubernetes.default.svc.cluster.local';
    return t;
  };
  const meshOf = (pod: PodInfo): Mesh | undefined => meshOnPod(pod, idx.namespace(pod.namespace));
  const defaultPort = (): number | undefined => (e.protocol === 'DNS' ? 53 : e.protocol === 'HTTPS' ? 443 : e.protocol === 'HTTP' ? 80 : undefined);

  const podTargets = (pods: PodInfo[], what: string): void => {
    const serving = pods.filter(isServing);
    if (serving.length === 0) {
      res.reasons.push(`${what}: no Running and Ready pod to probe`);
      return;
    }
    // Pods with the same labels are the same to a policy; one of each identity is enough.
    for (const pod of distinctIdentities(serving) as (PodInfo & { ip: string })[]) {
      const ref = c.port ?? numberRef(defaultPort());
      if (!ref) {
        res.reasons.push(`${what}: no port given`);
        continue;
      }
      const ports = portsOnPod(ref, pod, l4, opts.maxRangePorts);
      if (typeof ports === 'string') {
        res.reasons.push(ports);
        continue;
      }
      for (const port of ports) {
        const key = aliveKey(pod.ip, port, l4);
        if (l4 === 'tcp' && readinessCovers(pod, port)) {
          res.alive[key] = `kubelet readiness probe on ${pod.namespace}/${pod.name}:${port} passes`;
        }
        res.targets.push(withMesh(target(pod.ip, port, 'pod', `${pod.namespace}/${pod.name} (${pod.ip}):${port}`, [key]), meshOf(pod)));
      }
    }
  };

  switch (peer.kind) {
    case 'pods': {
      if (!idx.hasNamespace(peer.namespace)) {
        res.reasons.push(`namespace ${peer.namespace} does not exist`);
        break;
      }
      const pods = idx.podsMatching(peer.namespace, peer.podSelector);
      const what = `${peer.namespace}/${formatSelector(peer.podSelector)}`;
      if (pods.some(isServing) || !(opts.synthesizeMissing || peer.synthetic === true)) {
        podTargets(pods, pods.length === 0 ? `no pod in ${peer.namespace} matches ${formatSelector(peer.podSelector)}` : what);
        break;
      }
      serverTargets(peer.namespace, peer.podSelector.matchLabels ?? {}, (peer.podSelector.matchExpressions ?? []).length > 0);
      break;
    }
    case 'workload': {
      if (peer.workloadKind === 'Pod') {
        const pod = idx.pod(peer.namespace, peer.name);
        if (!pod) res.reasons.push(`pod ${peer.namespace}/${peer.name} does not exist`);
        else podTargets([pod], `${peer.namespace}/${peer.name}`);
        break;
      }
      const w = idx.workload(peer.namespace, peer.workloadKind, peer.name);
      if (!w) {
        res.reasons.push(`${peer.workloadKind} ${peer.namespace}/${peer.name} does not exist`);
        break;
      }
      podTargets(idx.podsMatching(w.namespace, w.selector), `${w.kind} ${w.namespace}/${w.name}`);
      break;
    }
    case 'service':
      serviceTargets(peer.namespace, peer.name);
      break;
    case 'host':
    case 'cidr': {
      const host = peer.kind === 'host' ? peer.host : singleAddress(peer.cidr);
      if (!host) {
        res.reasons.push(`cidr ${peer.kind === 'cidr' ? peer.cidr : ''} holds more than one address; name one address with host:`);
        break;
      }
      const ref = c.port ?? numberRef(defaultPort());
      if (!ref || ref.kind === 'name') {
        res.reasons.push(ref ? `a named port (${ref.name}) needs a pod or Service destination` : `${host}: no port given`);
        break;
      }
      for (const port of ref.kind === 'number' ? [ref.port] : rangePorts(ref, opts.maxRangePorts)) {
        const key = aliveKey(host, port, l4);
        res.targets.push(target(host, port, 'host', `${host}:${port}`, [key]));
        res.controlHosts.push({ host, port, l4, aliveKey: key });
      }
      break;
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(peer.url);
      } catch {
        res.reasons.push(`${peer.url} is not a URL`);
        break;
      }
      const https = url.protocol === 'https:';
      const port = url.port ? Number(url.port) : https ? 443 : 80;
      // URL keeps IPv6 literals bracketed; hosts everywhere else are bare addresses.
      const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
      const key = aliveKey(hostname, port, 'tcp');
      res.targets.push({
        kind: 'http',
        host: hostname,
        port,
        scheme: https ? 'https' : 'http',
        path: `${url.pathname}${url.search}`,
        method: e.http?.method ?? 'GET',
        headers: e.http?.headers ?? {},
        route: 'host',
        display: peer.url,
        aliveKeys: [key],
      });
      res.controlHosts.push({ host: hostname, port, l4: 'tcp', aliveKey: key });
      break;
    }
  }
  return res;

  function serverTargets(namespace: string, labels: Record<string, string>, hasExpressions: boolean): void {
    if (hasExpressions) {
      res.reasons.push(`no pod in ${namespace} matches the selector, and one with matchExpressions does not say which labels a stand-in should carry`);
      return;
    }
    if (l4 === 'sctp') {
      // The echo server serves TCP and UDP only: claiming it alive on SCTP would let a deny pass unproven.
      res.reasons.push(`no pod in ${namespace} matches the selector, and the netprobe echo server does not serve SCTP`);
      return;
    }
    const ref = c.port ?? numberRef(defaultPort());
    if (!ref || ref.kind === 'name') {
      res.reasons.push(`no pod in ${namespace} matches the selector, and a stand-in server needs a port number${ref ? ` (not the name ${ref.name})` : ''}`);
      return;
    }
    const ports = ref.kind === 'number' ? [ref.port] : rangePorts(ref, opts.maxRangePorts);
    const key = identityKey(namespace, labels, 'default');
    const tls = e.protocol === 'HTTPS';
    res.servers.push({ key, namespace, labels, ports: ports.map((port) => (tls ? { port, protocol: l4, tls } : { port, protocol: l4 })), standsFor: c.to.label });
    for (const port of ports) {
      const k = `server:${key}:${port}/${l4}`;
      res.alive[k] = 'netprobe echo server, Ready';
      res.targets.push(target({ serverKey: key }, port, 'server', `${c.to.label} (netprobe echo server):${port}`, [k]));
    }
  }

  function serviceTargets(namespace: string, name: string): void {
    const svc = idx.service(namespace, name);
    if (!svc) {
      res.reasons.push(`Service ${namespace}/${name} does not exist`);
      return;
    }
    const ref = c.port ?? numberRef(defaultPort()) ?? (svc.ports.length === 1 ? numberRef(svc.ports[0]!.port) : undefined);
    if (!ref) {
      res.reasons.push(`Service ${namespace}/${name} has several ports; say which`);
      return;
    }
    const svcPorts =
      ref.kind === 'name'
        ? svc.ports.filter((p) => p.name === ref.name)
        : svc.ports.filter((p) => (ref.kind === 'number' ? p.port === ref.port : p.port >= ref.from && p.port <= ref.to));
    const matching = svcPorts.filter((p) => p.protocol.toLowerCase() === l4);
    if (matching.length === 0) {
      res.reasons.push(`Service ${namespace}/${name} has no ${l4.toUpperCase()} port ${describePort(ref)}`);
      return;
    }
    const backends: (PodInfo & { ip: string })[] = Object.keys(svc.selector).length > 0 ? idx.podsMatching(namespace, { matchLabels: svc.selector }).filter(isServing) : [];
    const probed = new Set(distinctIdentities(backends));
    for (const sp of matching) {
      // Liveness is per backend pod: the ClusterIP route lists every backend, and one pod's readiness vouches for it alone.
      const backendKeys: string[] = [];
      for (const pod of backends) {
        const port = typeof sp.targetPort === 'number' ? sp.targetPort : pod.containerPorts.find((p) => p.name === sp.targetPort)?.port;
        if (port === undefined) {
          res.reasons.push(`pod ${pod.namespace}/${pod.name} defines no port named "${sp.targetPort}" (target of Service ${name})`);
          continue;
        }
        const key = aliveKey(pod.ip, port, l4);
        backendKeys.push(key);
        if (l4 === 'tcp' && readinessCovers(pod, port)) res.alive[key] = `kubelet readiness probe on ${pod.namespace}/${pod.name}:${port} passes`;
        // Pods with the same labels are the same to a policy: one of each identity is probed directly.
        if (probed.has(pod)) res.targets.push(withMesh(target(pod.ip, port, 'pod', `${pod.namespace}/${pod.name} (${pod.ip}):${port} behind Service ${name}`, [key]), meshOf(pod)));
      }
      if (backendKeys.length === 0) {
        res.reasons.push(`Service ${namespace}/${name} has no Ready backend on port ${sp.port}`);
        continue;
      }
      if (svc.clusterIP && svc.clusterIP !== 'None') {
        const meshed = backends.map(meshOf).find((m) => m !== undefined);
        res.targets.push(withMesh(target(svc.clusterIP, sp.port, 'service', `Service ${namespace}/${name} (${svc.clusterIP}):${sp.port}`, backendKeys), meshed));
      }
    }
  }
}

function withMesh(t: ProbeTarget, mesh: Mesh | undefined): ProbeTarget {
  if (mesh) t.mesh = mesh;
  return t;
}

function numberRef(port: number | undefined): PortRef | undefined {
  return port === undefined ? undefined : { kind: 'number', port };
}

/** The address of a /32 or /128 CIDR; undefined for anything wider. */
export function singleAddress(cidr: string): string | undefined {
  const [addr, bits] = cidr.split('/');
  if (!addr) return undefined;
  if (bits === undefined) return addr;
  const full = addr.includes(':') ? '128' : '32';
  return bits === full ? addr : undefined;
}
