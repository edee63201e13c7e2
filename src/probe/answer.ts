// Who stopped a probe, as far as the probe's own answer tells: one definition for the judge
// (src/verdict/evidence.ts) and for the canaries that show a pod's rules programmed (settle.ts). Pure.
import type { ProbeKind } from '../plan/types.ts';
import type { ProbeObservation } from './types.ts';

/** ICMP messages that a filtering rule sends (port-unreachable is iptables REJECT's default). */
export const REJECTIONS: ReadonlySet<string> = new Set(['port-unreachable', 'admin-prohibited', 'host-prohibited', 'net-prohibited', 'policy-failed']);

/**
 * An ICMP rejection that the target's own stack would not send: from another address on the path, for
 * TCP from any address (a TCP stack resets, never ICMPs: a node REJECTing traffic to its own address
 * answers in the target's name), or a prohibited code from anyone (Cilium's policy-deny-response sends
 * them in the target's name). Only a host's own port-unreachable for a closed UDP port is the target's.
 */
export function isFilterRejection(kind: ProbeKind, o: ProbeObservation): boolean {
  if (o.icmp === undefined || !REJECTIONS.has(o.icmp)) return false;
  return !(o.answeredBy === 'target' && kind === 'udp' && o.icmp === 'port-unreachable');
}
