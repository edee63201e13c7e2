// The policy engine's answers for choosing extra probes: who may reach a pod (control probes,
// src/plan/vouch.ts) and which paths change their answer once a new probe pod's rules are programmed
// (canaries, src/plan/canary.ts). Pure. A prediction only picks which probes to make: what shows a
// target alive or a pod's rules in place is the probe's own answer, so a wrong prediction costs a probe
// or some waiting, never a verdict.
import type { PolicyInputs } from './policy-inputs.ts';
import type { PredictPath } from '../plan/canary.ts';
import type { SourceIdentity } from '../plan/types.ts';
import type { MayReach } from '../plan/vouch.ts';
import type { ConnectionJudge } from '../policy/predict.ts';
import type { PeerWorld } from '../policy/peers.ts';
import type { L4Protocol, PodInfo } from '../model/cluster.ts';
import type { Verdict } from '../policy/evaluate.ts';

function evaluateFrom(engine: ConnectionJudge, source: SourceIdentity, ip: string, port: number, l4: string): Verdict {
  const from: PodInfo = { namespace: source.namespace, name: 'netprobe-probe', labels: source.labels, ips: [], containerPorts: [], serviceAccount: source.serviceAccount };
  return engine.evaluate({ source: from, destination: { ip }, port, protocol: l4.toUpperCase() as L4Protocol });
}

export function mayReachBy(engine: ConnectionJudge, world: Pick<PeerWorld, 'pods'>): MayReach {
  const known = new Set(world.pods.flatMap((p) => p.ips));
  return (source, ip, port, l4) => {
    // An address the engine knows no pod for would be judged without that pod's ingress policies.
    if (!known.has(ip)) return false;
    const v = evaluateFrom(engine, source, ip, port, l4);
    return v.allowed && v.error === undefined;
  };
}

export function predictPathBy(engine: ConnectionJudge, world: Pick<PeerWorld, 'pods'>): PredictPath {
  const known = new Set(world.pods.flatMap((p) => p.ips));
  return (source, ip, port, l4) => {
    const v = evaluateFrom(engine, source, ip, port, l4);
    if (v.error !== undefined) return undefined;
    return { allowed: v.allowed, ingressIsolated: v.ingress.isolated, ingressDenied: v.ingress.isolated && !v.ingress.allowed, egressDenied: v.egress.isolated && !v.egress.allowed, knownPod: known.has(ip) };
  };
}

/**
 * What known policies add to a run's evidence (RunSettings.mayReach, .predictPath): control probes from
 * an allowed identity, and canaries instead of the fixed settle. `run`, `isolation` and `matrix` alike.
 */
export function policyEvidence(inputs: PolicyInputs): { mayReach: MayReach; predictPath: PredictPath } {
  return { mayReach: mayReachBy(inputs.engine, inputs.manifests), predictPath: predictPathBy(inputs.engine, inputs.manifests) };
}
