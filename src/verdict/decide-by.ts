// The cheapest step that would decide an inconclusive probe (Result.decideBy), one place for the wording.
import type { PlannedProbe } from '../plan/types.ts';
import type { DenialKind } from './evidence.ts';

/** A deny whose target is not shown alive: what would show it alive. */
export function showAliveStep(probe: PlannedProbe): string {
  const t = probe.target;
  const port = t.port ?? '';
  const connect = 'or an allow expectation to it from a source the policies admit (one connection vouches for every source)';
  // Its sockets show a TCP listener; UDP has no connection to show, and a mesh proxy answers for the app.
  const sockets = t.mesh === undefined && (t.kind === 'tcp' || t.kind === 'http');
  const verify = (whose: string) => (sockets ? `, run with --verify-targets (reads ${whose} listening sockets from an ephemeral container, which stays in the pod's spec)` : '');
  switch (t.route) {
    case 'pod':
      return `add a readiness probe on port ${port} to ${t.display.split(' (')[0]} (kubelet then vouches that it listens)${verify('its')}, ${connect}`;
    case 'service':
      return `add a readiness probe on port ${port} to every backend of the Service (through a Service each backend must be shown alive)${verify("each backend's")}, ${connect}`;
    case 'host':
      return `an allow expectation to ${t.display} from a source the policies admit (a connection from the run vouches for it)`;
    case 'server':
      return 'run again: the netprobe echo server did not become Ready';
  }
}

/** What decides a probe whose denial is no evidence. `kind` is never `rejected`, `denied` or `silence` here. */
export function denialStep(kind: DenialKind, probe: PlannedProbe): string {
  if (kind === 'local') return "check the probe pod's own network (its node, the CNI's routes and addresses), then run again";
  if (kind === 'unanswerable') return 'probe a port whose protocol netprobe speaks (DNS on 53, NTP on 123), or a netprobe echo server (synthetic: true on the destination)';
  return `probe a port that ${probe.target.display.split(' (')[0]} listens on (nothing listens on ${probe.target.port ?? 'this port'}), so that only the policy can stop it`;
}

/** A source pod that got no answer at all: its timeouts say nothing until its network is shown to work. */
export const DEAF_SOURCE_STEP =
  'add an allow expectation from this source to a path the policies admit: one answer shows the probe pod\'s network works';

export const DNS_FAILURE_STEP = 'make the name resolve from the source (kubectl run ... nslookup), or name the destination by address';
export const PROBE_ERROR_STEP = 'fix the probe error and run again (the reproduce command shows it by hand)';
export const NOT_RUN_STEP = 'fix what kept the probe from running (the detail says what) and run again';
