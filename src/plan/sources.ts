// Source peers -> the identities probe pods will carry.
import type { NamedPeer, Peer } from '../suite/model.ts';
import { formatSelector, standInLabels } from '../model/selectors.ts';
import { distinctIdentities, identityKey, makeIdentity } from './identity.ts';
import { meshOnPod } from './mesh.ts';
import type { LivePod } from '../model/cluster.ts';
import { isServing, type SnapshotIndex } from './snapshot-index.ts';
import type { SourceIdentity, Undecided } from './types.ts';
import { missing } from './undecided.ts';

/** `uncovered`: parts of the source no identity stands for (hostNetwork pods beside pod-network ones), and why. */
export type SourceResolution = { identities: SourceIdentity[]; uncovered?: Undecided[] } | Undecided;


/**
 * Why no probe pod stands for a sender on its node's network. Policies see its traffic as the node's (an
 * ipBlock matter, never a podSelector one); an ephemeral container in the pod shares that network.
 */
function hostNetworkReason(what: string): Undecided {
  return {
    reason: `${what} runs with hostNetwork: true: NetworkPolicy treats its traffic as the node's, and a probe pod on the pod network does not stand for it`,
    decideBy: `probe from inside it with ephemeral: true on the source (its ephemeral container shares the node's network)`,
  };
}

/** Pods that can stand for a sender: anything scheduled and not finished. */
function isLive(phase: string): boolean {
  return phase === 'Running' || phase === 'Pending';
}

/** Whether a source is to be probed from inside one of its running pods (an ephemeral container). */
export function wantsInPod(peer: Peer, ephemeralAll: boolean): boolean {
  if ((peer.kind === 'pods' || peer.kind === 'workload') && peer.ephemeral === true) return true;
  return ephemeralAll && !(peer.kind === 'pods' && peer.synthetic === true);
}

export function resolveSource(named: NamedPeer, idx: SnapshotIndex, synthesizeMissing: boolean, ephemeralAll = false): SourceResolution {
  const peer: Peer = named.peer;
  if (wantsInPod(peer, ephemeralAll)) {
    const inside = resolveInPod(peer, idx);
    // Asked for in the suite: no running pod is an answer. Asked for by --ephemeral: the usual way applies.
    if (wantsInPod(peer, false) || 'identities' in inside) return inside;
  }
  // A workload stands for its pod template, running or not.
  if (peer.kind === 'workload' && peer.workloadKind !== 'Pod') {
    if (!idx.hasNamespace(peer.namespace)) return missing(`namespace ${peer.namespace}`);
    const w = idx.workload(peer.namespace, peer.workloadKind, peer.name);
    if (!w) return missing(`${peer.workloadKind} ${peer.namespace}/${peer.name}`);
    if (w.hostNetwork === true) return hostNetworkReason(`${w.kind} ${w.namespace}/${w.name}`);
    return identityWithAccount(idx, w.namespace, w.templateLabels, w.serviceAccount, `${w.namespace}/${w.name} (${w.kind})`);
  }
  const found = peerPods(peer, idx);
  if ('reason' in found) return found;
  // A pod named as a workload stands for itself whatever its phase; selected pods must be live.
  const live = peer.kind === 'workload' ? found.pods : found.pods.filter((p) => isLive(p.phase));
  const onNode = live.filter((p) => p.hostNetwork);
  const pods = live.filter((p) => !p.hostNetwork);
  const uncovered = onNode.map((p) => hostNetworkReason(`pod ${p.namespace}/${p.name}`));
  if (pods.length > 0) {
    const identities = distinctIdentities(pods).map((p) => makeIdentity(p.namespace, p.labels, p.serviceAccount, `${p.namespace}/${p.name}`));
    return uncovered.length > 0 ? { identities, uncovered } : { identities };
  }
  if (uncovered.length > 0) return { reason: uncovered.map((u) => u.reason).join('; '), decideBy: uncovered[0]!.decideBy };
  if (peer.kind !== 'pods') {
    const reason = `${peer.kind === 'service' ? `Service ${peer.namespace}/${peer.name} selects no pod` : `no live ${found.what}`} to send from`;
    return { reason, decideBy: 'start a pod of it, or name the source by its pod labels with synthetic: true to probe from a stand-in' };
  }
  const what = `no pod in ${peer.namespace} matches ${formatSelector(peer.podSelector)}`;
  const synthetic = synthesizeMissing || peer.synthetic === true;
  if (!synthetic) return { reason: what, decideBy: 'set synthetic: true on the source, or run with --synthesize-missing, to probe from a stand-in with its labels' };
  const labels = standInLabels(peer.podSelector);
  if (labels === undefined) return { reason: `${what}, and no labels satisfy the selector, so no stand-in can carry them`, decideBy: 'fix the selector: its terms contradict each other' };
  return identityWithAccount(idx, peer.namespace, labels, peer.serviceAccount ?? 'default', `${named.label} (synthetic)`);
}

/** The pods a source peer names (whatever their phase), and what they are for messages; or why there are none. */
function peerPods(peer: Peer, idx: SnapshotIndex): { pods: LivePod[]; what: string } | Undecided {
  switch (peer.kind) {
    case 'pods':
      if (!idx.hasNamespace(peer.namespace)) return missing(`namespace ${peer.namespace}`);
      return {
        pods: idx.podsMatching(peer.namespace, peer.podSelector).filter((p) => !peer.serviceAccount || p.serviceAccount === peer.serviceAccount),
        what: `pod in ${peer.namespace} matching ${formatSelector(peer.podSelector)}`,
      };
    case 'workload': {
      if (!idx.hasNamespace(peer.namespace)) return missing(`namespace ${peer.namespace}`);
      const what = `pod of ${peer.workloadKind} ${peer.namespace}/${peer.name}`;
      if (peer.workloadKind === 'Pod') {
        const pod = idx.pod(peer.namespace, peer.name);
        return pod ? { pods: [pod], what } : missing(`pod ${peer.namespace}/${peer.name}`);
      }
      const w = idx.workload(peer.namespace, peer.workloadKind, peer.name);
      if (!w) return missing(`${peer.workloadKind} ${peer.namespace}/${peer.name}`);
      return { pods: idx.podsMatching(peer.namespace, { matchLabels: w.templateLabels }), what };
    }
    case 'service': {
      const svc = idx.service(peer.namespace, peer.name);
      if (!svc) return missing(`Service ${peer.namespace}/${peer.name}`);
      const pods = svc.selector && Object.keys(svc.selector).length > 0 ? idx.podsMatching(peer.namespace, { matchLabels: svc.selector }) : [];
      return { pods, what: `pod behind Service ${peer.namespace}/${peer.name}` };
    }
    default:
      return { reason: `a ${peer.kind} cannot be a source: traffic can only be sent from pods`, decideBy: 'name pods, a workload or a Service as the source' };
  }
}

function identityWithAccount(
  idx: SnapshotIndex,
  namespace: string,
  labels: Record<string, string>,
  serviceAccount: string,
  standsFor: string,
): SourceResolution {
  if (!idx.hasServiceAccount(namespace, serviceAccount)) {
    return missing(`service account ${namespace}/${serviceAccount}`);
  }
  return { identities: [makeIdentity(namespace, labels, serviceAccount, standsFor)] };
}

/** Probe from inside a running pod: one per identity among the peer's Ready pods (an ephemeral container each). */
function resolveInPod(peer: Peer, idx: SnapshotIndex): SourceResolution {
  const found = peerPods(peer, idx);
  if ('reason' in found) return found;
  const running = found.pods.filter(isServing);
  if (running.length === 0) {
    return { reason: `no running, Ready ${found.what} to probe from inside (ephemeral: true)`, decideBy: 'start a Ready pod of it, or drop ephemeral: true to probe from a probe pod that carries its labels' };
  }
  return {
    identities: distinctIdentities(running).map((p) => {
      const identity: SourceIdentity = {
        ...makeIdentity(p.namespace, p.labels, p.serviceAccount, `${p.namespace}/${p.name} (from inside, ephemeral container)`),
        key: `${identityKey(p.namespace, p.labels, p.serviceAccount)}|in:${p.name}`,
        inPod: p.name,
      };
      // The pod's own proxy intercepts what the ephemeral container sends.
      const mesh = meshOnPod(p, idx.namespace(p.namespace));
      if (mesh) identity.mesh = mesh;
      return identity;
    }),
  };
}
