// Destination peers -> concrete probe targets, and what is already known about whether they are alive.
import type { LivePod } from '../model/cluster.ts';
import type { Case, Peer, PortRef, Protocol } from '../suite/model.ts';
import { formatSelector, standInLabels } from '../model/selectors.ts';
import { controllerLabels, distinctIdentities, identityKey, identityLabels } from './identity.ts';
import { meshOnPod, type Mesh } from './mesh.ts';
import { isServing, type ServingPod, type SnapshotIndex } from './snapshot-index.ts';
import type { L4, ProbeKind, ProbeTarget, ServerSpec, Undecided } from './types.ts';
import { GIVE_A_PORT, missing } from './undecided.ts';

export interface TargetResolution {
  targets: ProbeTarget[];
  /** Parts of the destination that cannot be probed, why, and what would decide them. */
  reasons: Undecided[];
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
function portsOnPod(ref: PortRef, pod: LivePod, l4: L4, maxRange: number): number[] | Undecided {
  if (ref.kind === 'number') return [ref.port];
  if (ref.kind === 'range') return rangePorts(ref, maxRange);
  const found = pod.containerPorts.find((p) => p.name === ref.name && p.protocol.toLowerCase() === l4);
  if (found) return [found.port];
  return { reason: `pod ${pod.namespace}/${pod.name} defines no ${l4.toUpperCase()} port named "${ref.name}"`, decideBy: 'name a port the pod defines, or give a port number' };
}

function rangePorts(ref: { from: number; to: number }, maxRange: number): number[] {
  const out: number[] = [];
  for (let p = ref.from; p <= ref.to && out.length < maxRange; p++) out.push(p);
  return out;
}

/** Does the pod's readiness probe check this port (so kubelet vouches that something listens)? */
function readinessCovers(pod: LivePod, port: number): boolean {
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

export interface TargetOptions {
  synthesizeMissing: boolean;
  maxRangePorts: number;
}

/** Resolves one case's destination to probe targets, with what shows each alive and why any is missing. */
class TargetResolver {
  readonly res: TargetResolution = { targets: [], reasons: [], servers: [], alive: {}, controlHosts: [] };
  private readonly e: Case['expectation'];
  private readonly l4: L4;
  private readonly kind: ProbeKind;

  private readonly c: Case;
  private readonly idx: SnapshotIndex;
  private readonly opts: TargetOptions;

  constructor(c: Case, idx: SnapshotIndex, opts: TargetOptions) {
    this.c = c;
    this.idx = idx;
    this.opts = opts;
    this.e = c.expectation;
    this.l4 = l4Of(this.e.protocol);
    this.kind = probeKindOf(this.e.protocol);
    if (this.c.port?.kind === 'range' && this.c.port.to - this.c.port.from + 1 > this.opts.maxRangePorts) {
      // Not probing a port is not proof about it: the case cannot pass on the part that was left out.
      this.res.reasons.push({
        reason: `port range ${this.c.port.from}-${this.c.port.to} has ${this.c.port.to - this.c.port.from + 1} ports; only the first ${this.opts.maxRangePorts} are probed`,
        decideBy: `split the range into expectations of at most ${this.opts.maxRangePorts} ports each`,
      });
    }
  }

  private target(host: string | { serverKey: string }, port: number, route: ProbeTarget['route'], display: string, aliveKeys: string[]): ProbeTarget {
    const t: ProbeTarget = { kind: this.kind, port, route, display, aliveKeys };
    if (typeof host === 'string') t.host = host;
    else t.serverKey = host.serverKey;
    if (this.kind === 'http') {
      t.scheme = this.e.protocol === 'HTTPS' ? 'https' : 'http';
      t.path = this.e.http?.path ?? '/';
      t.method = this.e.http?.method ?? 'GET';
      t.headers = this.e.http?.headers ?? {};
    }
    if (this.kind === 'dns') t.dnsName = this.e.dnsName ?? 'kubernetes.default.svc.cluster.local';
    return t;
  }

  private meshOf(pod: LivePod): Mesh | undefined {
    return meshOnPod(pod, this.idx.namespace(pod.namespace));
  }

  private defaultPort(): number | undefined {
    return this.e.protocol === 'DNS' ? 53 : this.e.protocol === 'HTTPS' ? 443 : this.e.protocol === 'HTTP' ? 80 : undefined;
  }

  resolve(): TargetResolution {
    const peer = this.c.to.peer;
    switch (peer.kind) {
      case 'pods': {
        if (!this.idx.hasNamespace(peer.namespace)) {
          this.res.reasons.push(missing(`namespace ${peer.namespace}`));
          break;
        }
        const pods = this.idx.podsMatching(peer.namespace, peer.podSelector);
        const what = `${peer.namespace}/${formatSelector(peer.podSelector)}`;
        if (pods.some(isServing) || !(this.opts.synthesizeMissing || peer.synthetic === true)) {
          this.podTargets(pods, pods.length === 0 ? `no pod in ${peer.namespace} matches ${formatSelector(peer.podSelector)}` : what);
          break;
        }
        this.serverTargets(peer.namespace, standInLabels(peer.podSelector));
        break;
      }
      case 'workload': {
        if (peer.workloadKind === 'Pod') {
          const pod = this.idx.pod(peer.namespace, peer.name);
          if (!pod) this.res.reasons.push(missing(`pod ${peer.namespace}/${peer.name}`));
          else this.podTargets([pod], `${peer.namespace}/${peer.name}`);
          break;
        }
        const w = this.idx.workload(peer.namespace, peer.workloadKind, peer.name);
        if (!w) {
          this.res.reasons.push(missing(`${peer.workloadKind} ${peer.namespace}/${peer.name}`));
          break;
        }
        this.podTargets(this.idx.podsMatching(w.namespace, w.selector), `${w.kind} ${w.namespace}/${w.name}`);
        break;
      }
      case 'service':
        this.serviceTargets(peer.namespace, peer.name);
        break;
      case 'host':
      case 'cidr':
        this.hostTargets(peer);
        break;
      case 'url':
        this.urlTarget(peer);
        break;
    }
    return this.res;
  }

  private podTargets(pods: LivePod[], what: string): void {
    const serving = pods.filter(isServing);
    if (serving.length === 0) {
      this.res.reasons.push({ reason: `${what}: no Running and Ready pod to probe`, decideBy: 'start a Running, Ready pod of it (or, for a pod selector, set synthetic: true to probe a netprobe echo server with its labels)' });
      return;
    }
    // Pods with the same labels are the same to a policy; one of each identity is enough.
    for (const pod of distinctIdentities(serving)) {
      const ref = this.c.port ?? numberRef(this.defaultPort());
      if (!ref) {
        this.res.reasons.push({ reason: `${what}: no port given`, decideBy: GIVE_A_PORT });
        continue;
      }
      const ports = portsOnPod(ref, pod, this.l4, this.opts.maxRangePorts);
      if (!Array.isArray(ports)) {
        this.res.reasons.push(ports);
        continue;
      }
      for (const port of ports) {
        const key = aliveKey(pod.ips[0], port, this.l4);
        if (this.l4 === 'tcp' && readinessCovers(pod, port)) {
          this.res.alive[key] = `kubelet readiness probe on ${pod.namespace}/${pod.name}:${port} passes`;
        }
        this.res.targets.push(withMesh(this.target(pod.ips[0], port, 'pod', `${pod.namespace}/${pod.name} (${pod.ips[0]}):${port}`, [key]), this.meshOf(pod)));
      }
    }
  }

  private hostTargets(peer: Extract<Peer, { kind: 'host' | 'cidr' }>): void {
    const host = peer.kind === 'host' ? peer.host : singleAddress(peer.cidr);
    if (!host) {
      this.res.reasons.push({ reason: `cidr ${peer.kind === 'cidr' ? peer.cidr : ''} holds more than one address`, decideBy: 'name one address with host:' });
      return;
    }
    const ref = this.c.port ?? numberRef(this.defaultPort());
    if (!ref || ref.kind === 'name') {
      this.res.reasons.push({ reason: ref ? `a named port (${ref.name}) needs a pod or Service destination` : `${host}: no port given`, decideBy: GIVE_A_PORT });
      return;
    }
    for (const port of ref.kind === 'number' ? [ref.port] : rangePorts(ref, this.opts.maxRangePorts)) {
      const key = aliveKey(host, port, this.l4);
      this.res.targets.push(this.target(host, port, 'host', `${host}:${port}`, [key]));
      this.res.controlHosts.push({ host, port, l4: this.l4, aliveKey: key });
    }
  }

  private urlTarget(peer: Extract<Peer, { kind: 'url' }>): void {
    let url: URL;
    try {
      url = new URL(peer.url);
    } catch {
      this.res.reasons.push({ reason: `${peer.url} is not a URL`, decideBy: 'give an absolute http:// or https:// URL' });
      return;
    }
    const https = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : https ? 443 : 80;
    // URL keeps IPv6 literals bracketed; hosts everywhere else are bare addresses.
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const key = aliveKey(hostname, port, 'tcp');
    this.res.targets.push({
      kind: 'http',
      host: hostname,
      port,
      scheme: https ? 'https' : 'http',
      path: `${url.pathname}${url.search}`,
      method: this.e.http?.method ?? 'GET',
      headers: this.e.http?.headers ?? {},
      route: 'host',
      display: peer.url,
      aliveKeys: [key],
    });
    this.res.controlHosts.push({ host: hostname, port, l4: 'tcp', aliveKey: key });
  }

  private serverTargets(namespace: string, labels: Record<string, string> | undefined): void {
    if (labels === undefined) {
      this.res.reasons.push({ reason: `no pod in ${namespace} matches the selector, and no labels satisfy it, so no stand-in can carry them`, decideBy: 'fix the selector: its terms contradict each other' });
      return;
    }
    if (this.l4 === 'sctp') {
      // The echo server serves TCP and UDP only: claiming it alive on SCTP would let a deny pass unproven.
      this.res.reasons.push({ reason: `no pod in ${namespace} matches the selector, and the netprobe echo server does not serve SCTP`, decideBy: 'start a pod with those labels that serves SCTP on the port' });
      return;
    }
    const ref = this.c.port ?? numberRef(this.defaultPort());
    if (!ref || ref.kind === 'name') {
      this.res.reasons.push({ reason: `no pod in ${namespace} matches the selector, and a stand-in server needs a port number${ref ? ` (not the name ${ref.name})` : ''}`, decideBy: GIVE_A_PORT });
      return;
    }
    const ports = ref.kind === 'number' ? [ref.port] : rangePorts(ref, this.opts.maxRangePorts);
    const key = identityKey(namespace, labels, 'default');
    const tls = this.e.protocol === 'HTTPS';
    const server: ServerSpec = { key, namespace, labels: identityLabels(labels), ports: ports.map((port) => (tls ? { port, protocol: this.l4, tls } : { port, protocol: this.l4 })), standsFor: this.c.to.label };
    const dropped = controllerLabels(labels);
    if (Object.keys(dropped).length > 0) server.droppedLabels = dropped;
    this.res.servers.push(server);
    for (const port of ports) {
      const k = `server:${key}:${port}/${this.l4}`;
      this.res.alive[k] = 'netprobe echo server, Ready';
      this.res.targets.push(this.target({ serverKey: key }, port, 'server', `${this.c.to.label} (netprobe echo server):${port}`, [k]));
    }
  }

  private serviceTargets(namespace: string, name: string): void {
    const svc = this.idx.service(namespace, name);
    if (!svc) {
      this.res.reasons.push(missing(`Service ${namespace}/${name}`));
      return;
    }
    const ref = this.c.port ?? numberRef(this.defaultPort()) ?? (svc.ports.length === 1 ? numberRef(svc.ports[0]!.port) : undefined);
    if (!ref) {
      this.res.reasons.push({ reason: `Service ${namespace}/${name} has several ports`, decideBy: 'name the Service port in the expectation' });
      return;
    }
    const svcPorts =
      ref.kind === 'name'
        ? svc.ports.filter((p) => p.name === ref.name)
        : svc.ports.filter((p) => (ref.kind === 'number' ? p.port === ref.port : p.port >= ref.from && p.port <= ref.to));
    const matching = svcPorts.filter((p) => p.protocol.toLowerCase() === this.l4);
    if (matching.length === 0) {
      this.res.reasons.push({ reason: `Service ${namespace}/${name} has no ${this.l4.toUpperCase()} port ${describePort(ref)}`, decideBy: 'name a port the Service has' });
      return;
    }
    const backends: ServingPod[] = svc.selector && Object.keys(svc.selector).length > 0 ? this.idx.podsMatching(namespace, { matchLabels: svc.selector }).filter(isServing) : [];
    const probed = new Set(distinctIdentities(backends));
    for (const sp of matching) {
      // Liveness is per backend pod: the ClusterIP route lists every backend, and one pod's readiness vouches for it alone.
      const backendKeys: string[] = [];
      for (const pod of backends) {
        const port = typeof sp.targetPort === 'number' ? sp.targetPort : pod.containerPorts.find((p) => p.name === sp.targetPort)?.port;
        if (port === undefined) {
          this.res.reasons.push({
            reason: `pod ${pod.namespace}/${pod.name} defines no port named "${sp.targetPort}" (target of Service ${name})`,
            decideBy: `name the container port "${sp.targetPort}" in the pod, or give the Service a numeric targetPort`,
          });
          continue;
        }
        const key = aliveKey(pod.ips[0], port, this.l4);
        backendKeys.push(key);
        if (this.l4 === 'tcp' && readinessCovers(pod, port)) this.res.alive[key] = `kubelet readiness probe on ${pod.namespace}/${pod.name}:${port} passes`;
        // Pods with the same labels are the same to a policy: one of each identity is probed directly.
        if (probed.has(pod)) this.res.targets.push(withMesh(this.target(pod.ips[0], port, 'pod', `${pod.namespace}/${pod.name} (${pod.ips[0]}):${port} behind Service ${name}`, [key]), this.meshOf(pod)));
      }
      if (backendKeys.length === 0) {
        this.res.reasons.push({ reason: `Service ${namespace}/${name} has no Ready backend on port ${sp.port}`, decideBy: `start a Ready backend of Service ${namespace}/${name}` });
        continue;
      }
      const clusterIP = svc.clusterIPs[0];
      if (clusterIP !== undefined) {
        const meshed = backends.map((p) => this.meshOf(p)).find((m) => m !== undefined);
        this.res.targets.push(withMesh(this.target(clusterIP, sp.port, 'service', `Service ${namespace}/${name} (${clusterIP}):${sp.port}`, backendKeys), meshed));
      }
    }
  }
}

export function resolveTargets(c: Case, idx: SnapshotIndex, opts: TargetOptions): TargetResolution {
  return new TargetResolver(c, idx, opts).resolve();
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
