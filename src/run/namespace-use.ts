// Which namespaces a run of some cases reads, creates probe pods or echo servers in, and adds ephemeral
// containers in, worked out from the suites alone (every peer names its namespace). The run's permission pre-check and
// `netprobe rbac` both start here, so what is checked and what is granted cannot drift apart.
import { ephemeralPermissions, runPermissions, serverPermissions, verifyPermissions, type Permission } from '../cluster/access.ts';
import type { Plan } from '../plan/types.ts';
import { wantsInPod } from '../plan/sources.ts';
import type { Case, Peer } from '../suite/model.ts';

export interface NamespaceUse {
  /** Namespaces whose pods, Services, service accounts and workloads are read. */
  read: string[];
  /** Namespaces where probe pods are created, exec'd into and deleted. */
  pods: string[];
  /** Namespaces where only echo servers are created and deleted (nothing execs into them). */
  servers: string[];
  /** Namespaces where probes run from inside running pods (ephemeral containers). */
  ephemeral: string[];
  /** --verify-targets: namespaces of deny targets whose sockets may be read (an ephemeral container each). */
  verify: string[];
}

export interface UseOptions {
  /** `--ephemeral`: probe every source from inside one of its running pods where one exists. */
  ephemeral: boolean;
  /** `--synthesize-missing`: echo servers stand in for target selectors that match no pod. */
  synthesizeMissing: boolean;
  /** `--verify-targets`: deny targets' sockets read from an ephemeral container in their pods. */
  verifyTargets?: boolean;
}

/**
 * `certain`: what every run of these cases needs whatever the cluster holds (the run checks it before
 * reading anything). `possible`: also what the cluster's state may call for: echo servers for targets
 * that may match no pod, and probe pods for sources whose `--ephemeral` finds no running pod.
 */
export type UseScope = 'certain' | 'possible';

function peerNamespace(p: Peer): string | undefined {
  return 'namespace' in p ? p.namespace : undefined;
}

const sorted = (s: Set<string>): string[] => [...s].sort();

export function namespaceUse(cases: readonly Case[], opts: UseOptions, scope: UseScope): NamespaceUse {
  const read = new Set<string>();
  const pods = new Set<string>();
  const ephemeral = new Set<string>();
  const servers = new Set<string>();
  const verify = new Set<string>();
  const possible = scope === 'possible';
  for (const c of cases) {
    const from = c.from.peer;
    const to = c.to.peer;
    const fromNs = peerNamespace(from);
    for (const ns of [fromNs, peerNamespace(to)]) if (ns !== undefined) read.add(ns);
    if (fromNs !== undefined) {
      const inPod = wantsInPod(from, opts.ephemeral);
      if (!inPod) pods.add(fromNs);
      else if (possible) {
        ephemeral.add(fromNs);
        // Asked for by --ephemeral only: with no running pod the source gets a probe pod after all.
        if (!wantsInPod(from, false)) pods.add(fromNs);
      }
    }
    if (possible && to.kind === 'pods' && (to.synthetic === true || opts.synthesizeMissing)) servers.add(to.namespace);
    // Asked for by the flag: every deny to a pod may need its target's sockets read.
    if (opts.verifyTargets === true && c.expectation.expect === 'deny' && (to.kind === 'pods' || to.kind === 'workload' || to.kind === 'service')) verify.add(to.namespace);
  }
  return withoutOverlap({ read: sorted(read), pods: sorted(pods), servers: sorted(servers), ephemeral: sorted(ephemeral), verify: sorted(verify) });
}

/** Probe-pod namespaces already have every echo-server permission. */
function withoutOverlap(use: NamespaceUse): NamespaceUse {
  return { ...use, servers: use.servers.filter((n) => !use.pods.includes(n)) };
}

/** What a plan creates: probe pods, echo servers, ephemeral containers (it reads nothing more). */
export function plannedUse(plan: Plan): NamespaceUse {
  const of = (xs: readonly { namespace: string }[]) => sorted(new Set(xs.map((x) => x.namespace)));
  return withoutOverlap({
    read: [],
    pods: of(plan.sources.filter((s) => !s.inPod)),
    servers: of(plan.servers),
    ephemeral: of(plan.sources.filter((s) => s.inPod)),
    verify: of(plan.targetChecks ?? []),
  });
}

/** What `use` needs beyond what `granted` was already checked for. */
export function beyond(use: NamespaceUse, granted: NamespaceUse): NamespaceUse {
  return {
    read: use.read.filter((n) => !granted.read.includes(n)),
    pods: use.pods.filter((n) => !granted.pods.includes(n)),
    servers: use.servers.filter((n) => !granted.pods.includes(n) && !granted.servers.includes(n)),
    ephemeral: use.ephemeral.filter((n) => !granted.ephemeral.includes(n)),
    verify: use.verify.filter((n) => !granted.verify.includes(n)),
  };
}

/** Every namespace the cases name, sorted. */
export function namespacesOf(cases: readonly Case[]): string[] {
  return namespaceUse(cases, { ephemeral: false, synthesizeMissing: false }, 'certain').read;
}

/** The permissions a use of namespaces needs: the same lists the run's pre-check asks about. */
export function usePermissions(use: NamespaceUse): Permission[] {
  return [...runPermissions(use.read, use.pods), ...serverPermissions(use.servers), ...ephemeralPermissions(use.ephemeral), ...verifyPermissions(use.verify)];
}
