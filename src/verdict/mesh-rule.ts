// The mesh rule of the judge: where a mesh proxy sits on the path (a sidecar or ztunnel in front of the
// target, or the source pod's own sidecar intercepting an ephemeral probe), the proxy completes the TCP
// handshake for any destination, answers 5xx itself when it cannot reach one, and (Istio) may answer DNS
// itself. Such a "connected" is proof of nothing: not of allow, not of a leak, not that the target is alive.
import { describeMesh, type Mesh } from '../plan/mesh.ts';
import type { PlannedProbe, Undecided } from '../plan/types.ts';
import type { ProbeObservation } from '../probe/types.ts';

/** Why this answer may be the mesh proxy's own and so proves nothing, and what would decide it; undefined when it is evidence. */
export function meshUnproven(probe: PlannedProbe, obs: ProbeObservation, sourceMesh: Mesh | undefined): Undecided | undefined {
  if (obs.outcome !== 'connected' && obs.outcome !== 'http-status') return undefined;
  const t = probe.target;
  const onPath = sourceMesh ? `${describeMesh(sourceMesh)} on the source` : t.mesh ? `${describeMesh(t.mesh)} in front of the target` : undefined;
  if (onPath === undefined) return undefined;
  const where = t.display;
  if (t.kind === 'http') {
    if (obs.httpStatus === undefined || obs.httpStatus < 500) return undefined;
    return {
      reason: `HTTP ${obs.httpStatus} from ${where}, with a ${onPath}: the proxy answers 5xx itself when it cannot reach the destination, so this is not the application's answer`,
      decideBy: 'set expectStatus to a status only the application gives',
    };
  }
  if (t.kind === 'tcp') {
    const instead = sourceMesh ? ', or from a probe pod (without ephemeral: true), which opts out of the mesh' : '';
    return {
      reason: `connected to ${where}, but a ${onPath} completes the TCP handshake for any destination, so a connection proves nothing`,
      decideBy: `probe with protocol HTTP (an answer from the application, or from netprobe's echo server, decides it)${instead}`,
    };
  }
  const dns = t.kind === 'dns' || (t.kind === 'udp' && t.port === 53);
  if (dns && sourceMesh?.name.startsWith('Istio')) {
    return {
      reason: `a DNS answer via ${where}, but with an ${onPath} the proxy may capture DNS and answer it itself`,
      decideBy: 'probe from a probe pod (without ephemeral: true), which opts out of the mesh',
    };
  }
  return undefined;
}
