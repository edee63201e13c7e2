// The policy engine's answer to "may this source reach that pod?", for choosing control probes
// (src/plan/vouch.ts). Pure. A prediction only picks who tries: what shows a target alive is the
// control probe's own connection, so a wrong prediction costs one probe, never a verdict.
import type { MayReach } from '../plan/vouch.ts';
import type { ConnectionJudge } from '../policy/predict.ts';
import type { PeerWorld } from '../policy/peers.ts';
import type { L4Protocol, PodInfo } from '../policy/types.ts';

export function mayReachBy(engine: ConnectionJudge, world: Pick<PeerWorld, 'pods'>): MayReach {
  const known = new Set(world.pods.flatMap((p) => p.ips));
  return (source, ip, port, l4) => {
    // An address the engine knows no pod for would be judged without that pod's ingress policies.
    if (!known.has(ip)) return false;
    const from: PodInfo = { namespace: source.namespace, name: 'netprobe-control', labels: source.labels, ips: [], containerPorts: [], serviceAccount: source.serviceAccount };
    const v = engine.evaluate({ source: from, destination: { ip }, port, protocol: l4.toUpperCase() as L4Protocol });
    return v.allowed && v.error === undefined;
  };
}
