// --verify-targets (issue 11): a deny counts only once its target is shown alive. Where nothing in the
// plan does (no readiness probe on the port, no connection, no control probe from an allowed identity),
// the target pod's own listening sockets can: read from an ephemeral container in that pod, with no
// traffic. Opt-in, because the container stays in the pod's spec until the pod is replaced. Pure.
import type { LivePod } from '../model/cluster.ts';
import type { Plan, TargetCheck } from './types.ts';
import { keysToShowAlive, splitKey } from './vouch.ts';

/**
 * The plan with one check per pod that holds deny targets nothing else shows alive. Targets a control
 * probe already covers are left to it (one container fewer in someone's pod); a vouch that fails then
 * leaves the deny inconclusive, naming --verify-targets among the steps.
 */
export function addTargetChecks(plan: Plan, pods: readonly LivePod[]): Plan {
  const vouched = new Set(plan.probes.filter((p) => p.vouch !== undefined).flatMap((p) => p.target.aliveKeys));
  // A hostNetwork pod's address is its node's, shared with every other such pod there: not one pod's.
  const byIp = new Map<string, LivePod>();
  for (const p of pods) if (!p.hostNetwork && p.phase === 'Running') for (const ip of p.ips) byIp.set(ip, p);
  const checks = new Map<string, TargetCheck>();
  for (const key of keysToShowAlive(plan).keys()) {
    const at = splitKey(key);
    const pod = at === undefined || vouched.has(key) ? undefined : byIp.get(at.ip);
    if (at === undefined || pod === undefined) continue;
    const id = `${pod.namespace}/${pod.name}`;
    const check = checks.get(id) ?? { namespace: pod.namespace, pod: pod.name, ip: at.ip, ports: [] };
    check.ports.push({ port: at.port, aliveKey: key });
    checks.set(id, check);
  }
  return checks.size === 0 ? plan : { ...plan, targetChecks: [...checks.values()] };
}
