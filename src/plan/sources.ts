// Source peers -> the identities probe pods will carry.
import type { NamedPeer, Peer } from '../suite/model.ts';
import { formatSelector } from '../policy/selectors.ts';
import { distinctIdentities, identityKey, makeIdentity } from './identity.ts';
import { meshOnPod } from './mesh.ts';
import type { PodInfo } from '../cluster/types.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import type { SourceIdentity } from './types.ts';

/** `uncovered`: parts of the source no identity stands for (hostNetwork pods beside pod-network ones), and why. */
export type SourceResolution = { identities: SourceIdentity[]; uncovered?: string[] } | { reason: string };

/**
 * Why no probe pod stands for a sender on its node's network. Policies see its traffic as the node's (an
 * ipBlock matter, never a podSelector one); an ephemeral container in the pod shares that network.
 */
function hostNetworkReason(what: string): string {
  return `${what} runs with hostNetwork: true: NetworkPolicy treats its traffic as the node's, and a probe pod on the pod network does not stand for it; to decide it, probe from inside it with ephemeral: true (its ephemeral container shares the node's network)`;
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
    if (!idx.hasNamespace(peer.namespace)) return { reason: `namespace ${peer.namespace} does not exist` };
    const w = idx.workload(peer.namespace, peer.workloadKind, peer.name);
    if (!w) return { reason: `${peer.workloadKind} ${peer.namespace}/${peer.name} does not exist` };
    if (w.hostNetwork === true) return { reason: hostNetworkReason(`${w.kind} ${w.namespace}/${w.name}`) };
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
  if (uncovered.length > 0) return { reason: uncovered.join('; ') };
  if (peer.kind !== 'pods') return { reason: `${peer.kind === 'service' ? `Service ${peer.namespace}/${peer.name} selects no pod` : `no live ${found.what}`} to send from` };
  const what = `no pod in ${peer.namespace} matches ${formatSelector(peer.podSelector)}`;
  const synthetic = synthesizeMissing || peer.synthetic === true;
  if (!synthetic) return { reason: `${what} (set synthetic: true or --synthesize-missing to probe as one)` };
  if ((peer.podSelector.matchExpressions ?? []).length > 0) {
    return { reason: `${what}, and a selector with matchExpressions does not say which labels a stand-in should carry` };
  }
  return identityWithAccount(idx, peer.namespace, peer.podSelector.matchLabels ?? {}, peer.serviceAccount ?? 'default', `${named.label} (synthetic)`);
}

/** The pods a source peer names (whatever their phase), and what they are for messages; or why there are none. */
function peerPods(peer: Peer, idx: SnapshotIndex): { pods: PodInfo[]; what: string } | { reason: string } {
  switch (peer.kind) {
    case 'pods':
      if (!idx.hasNamespace(peer.namespace)) return { reason: `namespace ${peer.namespace} does not exist` };
      return {
        pods: idx.podsMatching(peer.namespace, peer.podSelector).filter((p) => !peer.serviceAccount || p.serviceAccount === peer.serviceAccount),
        what: `pod in ${peer.namespace} matching ${formatSelector(peer.podSelector)}`,
      };
    case 'workload': {
      if (!idx.hasNamespace(peer.namespace)) return { reason: `namespace ${peer.namespace} does not exist` };
      const what = `pod of ${peer.workloadKind} ${peer.namespace}/${peer.name}`;
      if (peer.workloadKind === 'Pod') {
        const pod = idx.pod(peer.namespace, peer.name);
        return pod ? { pods: [pod], what } : { reason: `pod ${peer.namespace}/${peer.name} does not exist` };
      }
      const w = idx.workload(peer.namespace, peer.workloadKind, peer.name);
      if (!w) return { reason: `${peer.workloadKind} ${peer.namespace}/${peer.name} does not exist` };
      return { pods: idx.podsMatching(peer.namespace, { matchLabels: w.templateLabels }), what };
    }
    case 'service': {
      const svc = idx.service(peer.namespace, peer.name);
      if (!svc) return { reason: `Service ${peer.namespace}/${peer.name} does not exist` };
      const pods = Object.keys(svc.selector).length > 0 ? idx.podsMatching(peer.namespace, { matchLabels: svc.selector }) : [];
      return { pods, what: `pod behind Service ${peer.namespace}/${peer.name}` };
    }
    default:
      return { reason: `a ${peer.kind} cannot be a source: traffic can only be sent from pods` };
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
    return { reason: `service account ${namespace}/${serviceAccount} does not exist` };
  }
  return { identities: [makeIdentity(namespace, labels, serviceAccount, standsFor)] };
}

/** Probe from inside a running pod: one per identity among the peer's Ready pods (an ephemeral container each). */
function resolveInPod(peer: Peer, idx: SnapshotIndex): SourceResolution {
  const found = peerPods(peer, idx);
  if ('reason' in found) return found;
  const running = found.pods.filter((p) => p.phase === 'Running' && p.ready && p.ip);
  if (running.length === 0) return { reason: `no running, Ready ${found.what} to probe from inside (ephemeral: true)` };
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
