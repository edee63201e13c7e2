// What a probe's failure to connect proves, from who answered it. Only the network's answer is
// evidence: a handshake, a reset, an ICMP error that came from the wire, a DNS reply, or a timeout
// (which needs more: a source that got answers, a target known to be alive and to answer). An error
// made by the probe pod's own stack proves nothing about the path.
import type { PlannedProbe } from '../plan/types.ts';
import type { ProbeObservation } from '../probe/types.ts';
import { isFilterRejection, REJECTIONS } from '../probe/answer.ts';

/**
 * - `rejected`: an ICMP rejection (port-unreachable, or a prohibited code) that the target's own stack
 *   would not send: from another address on the path, or for TCP from any address (a TCP stack answers
 *   with RST, never ICMP), or a prohibited code from anyone: the enforcement point answered;
 * - `closed`: the target's own stack said nothing listens (TCP RST, or for UDP an ICMP
 *   port-unreachable from the target's own address);
 * - `denied`: refused or unreachable without telling who (older agents), or a router's
 *   host/net-unreachable: counts only with the target shown alive;
 * - `silence`: a timeout;
 * - `local`: the probe pod's own stack made the error; `unanswerable`: UDP silence from a target not
 *   known to answer what was sent. Neither is evidence.
 */
export type DenialKind = 'rejected' | 'closed' | 'denied' | 'silence' | 'local' | 'unanswerable';

/** An answer that came over the network: the probe pod's own networking works. */
export function isNetworkAnswer(obs: ProbeObservation): boolean {
  if (obs.answeredBy === 'local') return false;
  if (obs.answeredBy === 'target' || obs.answeredBy === 'network') return true;
  return obs.outcome === 'connected' || obs.outcome === 'http-status' || obs.outcome === 'refused' || obs.outcome === 'unreachable';
}

/**
 * Classifies a refused, unreachable or timed-out observation. `knownToAnswer`: something already
 * shows that the target answers (it is alive on that key), which for UDP means it answers datagrams.
 */
export function denialKind(probe: PlannedProbe, obs: ProbeObservation, knownToAnswer: boolean): DenialKind {
  if (obs.answeredBy === 'local') return 'local';
  if (obs.outcome === 'timeout') {
    const udpUnknown = probe.target.kind === 'udp' && obs.spoke === undefined && !knownToAnswer;
    return udpUnknown ? 'unanswerable' : 'silence';
  }
  const icmp = obs.icmp;
  if (icmp === undefined) return obs.answeredBy === 'target' && obs.outcome === 'refused' ? 'closed' : 'denied';
  if (!REJECTIONS.has(icmp)) return 'denied';
  // A host's own stack answers a closed UDP port with port-unreachable (src/probe/answer.ts).
  return isFilterRejection(probe.target.kind, obs) ? 'rejected' : 'closed';
}

/** How the observation reads in a verdict's detail. */
export function describeDenial(kind: DenialKind, probe: PlannedProbe, obs: ProbeObservation): string {
  const where = probe.target.display;
  const tries = `${obs.attempts} attempt${obs.attempts === 1 ? '' : 's'}`;
  switch (kind) {
    case 'silence':
      return `no answer from ${where} within ${probe.timeoutMs} ms (${tries}${obs.spoke ? `, a ${obs.spoke} request` : ''})`;
    case 'unanswerable':
      return `no UDP reply from ${where} within ${probe.timeoutMs} ms (${tries}), but nothing shows it answers the datagram netprobe sent: a silent service and a dropped datagram look the same`;
    case 'closed':
      return obs.icmp
        ? `closed port: ${where} itself answered ICMP ${obs.icmp} (the host is up, nothing listens on the port)`
        : `closed port: ${where} answered with a reset (the host is up, nothing listens on the port)`;
    case 'rejected':
      return `rejected by the network: ICMP ${obs.icmp} from ${obs.icmpFrom ?? 'an unknown address'}${obs.answeredBy === 'network' ? ', not the target' : ''} (a filtering rule answered, not the target's own stack)`;
    case 'local':
      return `the probe pod's own stack failed, nothing came from the network (${obs.detail})`;
    case 'denied':
      return obs.outcome === 'refused' ? `${where} refused the connection` : `${where} unreachable (${obs.detail})`;
  }
}
