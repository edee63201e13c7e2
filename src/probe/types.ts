// What a probe saw, as the in-pod agent reported it (or as netprobe recorded when it could not run one).

/**
 * What the probe saw on the wire (docs/verdicts.md lists every way a probe ends).
 * connected: handshake (TCP), reply (UDP), HTTP response, or any DNS response (DNS);
 * refused: an RST or an ICMP port-unreachable from the wire came back (reached something that said no);
 * unreachable: an ICMP host/net unreachable or admin-prohibited from the wire;
 * timeout: nothing came back in time (dropped);
 * dns-failure: a target's name did not resolve; http-status: an HTTP reply with an unexpected status;
 * error: the probe itself failed, including every error made by the probe pod's own stack (not a
 * network verdict); not-run: no probe could be made.
 */
export type Outcome =
  | 'connected'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'dns-failure'
  | 'http-status'
  | 'error'
  | 'not-run';

export interface ProbeObservation {
  probeId: string;
  outcome: Outcome;
  detail: string;
  ms: number;
  attempts: number;
  httpStatus?: number;
  addresses?: string[];
  /** The address the probe went to (its name resolved in the pod), without the port. */
  remote?: string;
  /**
   * Who answered: the target (handshake, reply, RST, or an ICMP error from its own address), the
   * network (an ICMP error from another address on the path: a firewall or router), or the probe
   * pod's own stack (`local`: nothing came from the network). Absent when nothing answered.
   */
  answeredBy?: AnsweredBy;
  /** The ICMP error behind a refusal or unreachable ("port-unreachable", "admin-prohibited", ...) and its sender. */
  icmp?: string;
  icmpFrom?: string;
  /** dns: the server's response code (NOERROR, NXDOMAIN, SERVFAIL, ...). */
  rcode?: string;
  /** udp: the protocol the agent spoke to a well-known port ("dns", "ntp"): its server always answers. */
  spoke?: string;
}

export type AnsweredBy = 'target' | 'network' | 'local';
