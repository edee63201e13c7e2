// The suite model: what the loader produces from expectation files once they are valid.
// Everything downstream (plan, policy engine, reporters) reads these types, never raw YAML.

import type { LabelSelector } from '../model/selectors.ts';

/** Where a value came from, for `file:line:col` messages. Lines and columns are 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Pod';

/** One side of a connection, as the user named it. */
export type Peer =
  | {
      kind: 'pods';
      namespace: string;
      podSelector: LabelSelector;
      serviceAccount?: string;
      /** Let netprobe start a stand-in (probe pod or echo server) with these labels when no pod matches. */
      synthetic?: boolean;
      /** As a source: probe from inside a running pod (an ephemeral container), not from a probe pod. */
      ephemeral?: boolean;
    }
  | { kind: 'workload'; namespace: string; workloadKind: WorkloadKind; name: string; ephemeral?: boolean }
  | { kind: 'service'; namespace: string; name: string }
  | { kind: 'host'; host: string }
  | { kind: 'cidr'; cidr: string }
  | { kind: 'url'; url: string };

/** A port as written: a number, a named container/service port, or an inclusive range. */
export type PortRef =
  | { kind: 'number'; port: number }
  | { kind: 'name'; name: string }
  | { kind: 'range'; from: number; to: number };

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'HTTP' | 'HTTPS' | 'DNS';

export type Expect = 'allow' | 'deny';

/** L7 details for HTTP/HTTPS expectations (and `url` peers). */
export interface HttpCheck {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The status that proves "allowed". Absent: any HTTP response counts as a connection. */
  expectStatus?: number;
}

/** A peer with the endpoint name it was written as, if any (for display). */
export interface NamedPeer {
  label: string;
  peer: Peer;
  pos: SourcePos;
}

/** One expectation after validation, with defaults applied. `from`/`to` lists mean every combination. */
export interface Expectation {
  name: string;
  suite: string;
  tags: string[];
  from: NamedPeer[];
  to: NamedPeer[];
  ports: PortRef[];
  protocol: Protocol;
  expect: Expect;
  timeoutSeconds: number;
  attempts: number;
  http?: HttpCheck;
  /** For protocol DNS: the name to resolve (the `to` side names the DNS server, or cluster DNS when absent). */
  dnsName?: string;
  /** Why the expectation exists, as written. */
  description?: string;
  pos: SourcePos;
}

export interface Suite {
  name: string;
  file: string;
  description?: string;
  /** Where the suite document starts. */
  pos?: SourcePos;
  expectations: Expectation[];
}

/**
 * One concrete check: a single source, destination and port of an expectation.
 * `id` is stable across runs for the same input (derived from the expectation name and the combination).
 */
export interface Case {
  id: string;
  expectation: Expectation;
  from: NamedPeer;
  to: NamedPeer;
  port?: PortRef;
}
