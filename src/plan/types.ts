// The plan: which probe pods to start where, which echo servers to stand in for targets, and which
// probes each source pod runs. Computed purely from the suite's cases and a cluster snapshot.
import type { Case, SourcePos } from '../suite/model.ts';
import type { ClusterAddresses } from './cluster-addresses.ts';
import type { Mesh } from './mesh.ts';

/** One probe pod stands for every workload with these labels and service account in this namespace. */
export interface SourceIdentity {
  key: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
  /** What it stands for, for people: "payments/frontend (Deployment)". */
  standsFor: string;
  /** Probe from inside this running pod (an ephemeral container) instead of from a probe pod. */
  inPod?: string;
  /** That pod's mesh proxy, which intercepts the probes on their way out. */
  mesh?: Mesh;
  /** Controller labels of the pods it stands for that the probe pod does not carry (src/plan/identity.ts). */
  droppedLabels?: Record<string, string>;
}

/** An echo server netprobe starts because a target has no live pod (or the suite asked for one). */
export interface ServerSpec {
  key: string;
  namespace: string;
  labels: Record<string, string>;
  /** `tls`: serve HTTPS on this TCP port. */
  ports: { port: number; protocol: L4; tls?: boolean }[];
  standsFor: string;
  /** Controller labels of the selector that the echo server does not carry (src/plan/identity.ts). */
  droppedLabels?: Record<string, string>;
}

export type L4 = 'tcp' | 'udp' | 'sctp';
export type ProbeKind = L4 | 'http' | 'dns';

/** Where a probe goes. `host` is an address or name; `serverKey` is filled in once that server pod has an IP. */
export interface ProbeTarget {
  kind: ProbeKind;
  host?: string;
  serverKey?: string;
  port?: number;
  /** http(s) */
  scheme?: 'http' | 'https';
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** dns: the name to resolve (the target is the DNS server) */
  dnsName?: string;
  /** How the destination was reached: a pod IP, a Service ClusterIP, a host, or a netprobe echo server. */
  route: 'pod' | 'service' | 'host' | 'server';
  /** Text for reports: "demo-db/postgres-7c9 (10.244.0.12):5432". */
  display: string;
  /** Liveness key `ip:port/l4` (or `server:KEY:port/l4`); a service route lists its backends' keys. */
  aliveKeys: string[];
  /** A mesh proxy in front of the destination (on a Service route: in front of a backend). */
  mesh?: Mesh;
}

export interface PlannedProbe {
  id: string;
  caseId: string;
  sourceKey: string;
  target: ProbeTarget;
  timeoutMs: number;
  attempts: number;
  /**
   * A control probe, part of no case: it is made only so that, if it connects, its target is shown alive
   * for every deny to it. The text names the identity (the policies allow it) that vouches.
   */
  vouch?: string;
  /** What the policies say of this path, when they were read and agree for every address it reaches (src/plan/canary.ts). */
  predicted?: 'allowed' | 'denied';
}

/** Why something cannot be decided, and the cheapest step that would decide it (Result.decideBy). */
export interface Undecided {
  reason: string;
  decideBy: string;
}

/** A probe whose answer changes once the CNI knows a new probe pod: it connects (or is denied) only then. */
export interface Canary {
  probe: PlannedProbe;
  expect: 'connect' | 'deny';
  /** For people: which rule it shows programmed. */
  shows: string;
}

/**
 * --verify-targets: one running pod whose listening sockets are read (an ephemeral container that stays
 * in its spec), for the deny targets on it that nothing else shows alive.
 */
export interface TargetCheck {
  namespace: string;
  pod: string;
  ip: string;
  /** The ports to look for, each with its liveness key. */
  ports: { port: number; aliveKey: string }[];
}

/** A case, or part of one, that cannot be probed, and why (it becomes `inconclusive`). */
export interface Unprobeable extends Undecided {
  caseId: string;
}

export interface Plan {
  cases: Case[];
  sources: SourceIdentity[];
  servers: ServerSpec[];
  probes: PlannedProbe[];
  unprobeable: Unprobeable[];
  /** Liveness known before probing (kubelet readiness probes, netprobe servers): key -> why. */
  alive: Record<string, string>;
  /** Set when the probes went over PlanOptions.maxProbes: the case that did, and the count so far (the plan is cut there). */
  overLimit?: { caseId: string; pos: SourcePos; probes: number; caseProbes: number };
  /** Host destinations that netprobe itself may control-probe (addresses outside the cluster; names are checked once resolved). */
  controlHosts: { host: string; port: number; l4: L4; aliveKey: string }[];
  /**
   * Per probe pod, the canaries that show its rules programmed (src/plan/canary.ts), when the policies
   * are read: an empty list means no path of it depends on its rules. A source not listed waits the
   * fixed settle time.
   */
  canaries?: Record<string, Canary[]>;
  /** --verify-targets: the pods whose listening sockets are read (src/plan/verify.ts). */
  targetChecks?: TargetCheck[];
  /** The cluster's own addresses as far as known: no control probe may vouch for them. */
  insideCluster: ClusterAddresses;
}

export interface PlanOptions {
  /** Start echo servers for pod selectors that match no Ready pod (instead of `inconclusive`). */
  synthesizeMissing: boolean;
  /** Probe from inside a running pod of every source that has one (ephemeral containers), as if each said `ephemeral: true`. */
  ephemeral: boolean;
  /** --verify-targets: read the listening sockets of deny targets nothing else shows alive. */
  verifyTargets: boolean;
  /** Most ports probed for one port range. */
  maxRangePorts: number;
  /** Most probes in a plan: planning stops at the case that goes over (Plan.overLimit). */
  maxProbes: number;
}
