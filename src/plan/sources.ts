// Source peers -> the identities probe pods will carry.
import type { NamedPeer, Peer } from '../suite/model.ts';
import { formatSelector } from '../policy/selectors.ts';
import { distinctIdentities, identityKey, makeIdentity } from './identity.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import type { SourceIdentity } from './types.ts';

export type SourceResolution = { identities: SourceIdentity[] } | { reason: string };

/** Pods that can stand for a sender: anything scheduled and not finished. */
function isLive(phase: string): boolean {
  return phase === 'Running' || phase === 'Pending';
}

export function resolveSource(named: NamedPeer, idx: SnapshotIndex, synthesizeMissing: boolean, ephemeralAll = false): SourceResolution {
  const peer: Peer = named.peer;
  const asked = (peer.kind === 'pods' || peer.kind === 'workload') && peer.ephemeral === true;
  if (asked || (ephemeralAll && !(peer.kind === 'pods' && peer.synthetic === true))) {
    const inside = resolveInPod(peer, idx);
    // Asked for in the suite: no running pod is an answer. Asked for by --ephemeral: the usual way applies.
    if (asked || 'identities' in inside) return inside;
  }
  switch (peer.kind) {
    case 'pods': {
      if (!idx.hasNamespace(peer.namespace)) return { reason: `namespace ${peer.namespace} does not exist` };
      const pods = idx
        .podsMatching(peer.namespace, peer.podSelector)
        .filter((p) => isLive(p.phase) && (!peer.serviceAccount || p.serviceAccount === peer.serviceAccount));
      if (pods.length > 0) {
        return {
          identities: distinctIdentities(pods).map((p) =>
            makeIdentity(p.namespace, p.labels, p.serviceAccount, `${p.namespace}/${p.name}`),
          ),
        };
      }
      const what = `no pod in ${peer.namespace} matches ${formatSelector(peer.podSelector)}`;
      const synthetic = synthesizeMissing || peer.synthetic === true;
      if (!synthetic) return { reason: `${what} (set synthetic: true or --synthesize-missing to probe as one)` };
      if ((peer.podSelector.matchExpressions ?? []).length > 0) {
        return { reason: `${what}, and a selector with matchExpressions does not say which labels a stand-in should carry` };
      }
      return identityWithAccount(idx, peer.namespace, peer.podSelector.matchLabels ?? {}, peer.serviceAccount ?? 'default', `${named.label} (synthetic)`);
    }
    case 'workload': {
      if (!idx.hasNamespace(peer.namespace)) return { reason: `namespace ${peer.namespace} does not exist` };
      if (peer.workloadKind === 'Pod') {
        const pod = idx.pod(peer.namespace, peer.name);
        if (!pod) return { reason: `pod ${peer.namespace}/${peer.name} does not exist` };
        return { identities: [makeIdentity(pod.namespace, pod.labels, pod.serviceAccount, `${pod.namespace}/${pod.name}`)] };
      }
      const w = idx.workload(peer.namespace, peer.workloadKind, peer.name);
      if (!w) return { reason: `${peer.workloadKind} ${peer.namespace}/${peer.name} does not exist` };
      return identityWithAccount(idx, w.namespace, w.templateLabels, w.serviceAccount, `${w.namespace}/${w.name} (${w.kind})`);
    }
    case 'service': {
      const svc = idx.service(peer.namespace, peer.name);
      if (!svc) return { reason: `Service ${peer.namespace}/${peer.name} does not exist` };
      const pods = idx.podsMatching(peer.namespace, { matchLabels: svc.selector }).filter((p) => isLive(p.phase));
      if (Object.keys(svc.selector).length === 0 || pods.length === 0) {
        return { reason: `Service ${peer.namespace}/${peer.name} selects no pod to send from` };
      }
      return {
        identities: distinctIdentities(pods).map((p) =>
          makeIdentity(p.namespace, p.labels, p.serviceAccount, `${p.namespace}/${p.name}`),
        ),
      };
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
  if (!('namespace' in peer) || !idx.hasNamespace(peer.namespace)) return { reason: `namespace ${'namespace' in peer ? peer.namespace : '?'} does not exist` };
  let pods;
  let what;
  switch (peer.kind) {
    case 'pods':
      pods = idx.podsMatching(peer.namespace, peer.podSelector).filter((p) => !peer.serviceAccount || p.serviceAccount === peer.serviceAccount);
      what = `pod in ${peer.namespace} matching ${formatSelector(peer.podSelector)}`;
      break;
    case 'workload':
      if (peer.workloadKind === 'Pod') {
        const pod = idx.pod(peer.namespace, peer.name);
        if (!pod) return { reason: `pod ${peer.namespace}/${peer.name} does not exist` };
        pods = [pod];
      } else {
        const w = idx.workload(peer.namespace, peer.workloadKind, peer.name);
        if (!w) return { reason: `${peer.workloadKind} ${peer.namespace}/${peer.name} does not exist` };
        pods = idx.podsMatching(peer.namespace, { matchLabels: w.templateLabels });
      }
      what = `pod of ${peer.workloadKind} ${peer.namespace}/${peer.name}`;
      break;
    case 'service': {
      const svc = idx.service(peer.namespace, peer.name);
      pods = svc && Object.keys(svc.selector).length > 0 ? idx.podsMatching(peer.namespace, { matchLabels: svc.selector }) : [];
      what = `pod behind Service ${peer.namespace}/${peer.name}`;
      break;
    }
    default:
      return { reason: 'traffic can only be sent from pods' };
  }
  const running = pods.filter((p) => p.phase === 'Running' && p.ready && p.ip);
  if (running.length === 0) return { reason: `no running, Ready ${what} to probe from inside (ephemeral: true)` };
  return {
    identities: distinctIdentities(running).map((p) => ({
      ...makeIdentity(p.namespace, p.labels, p.serviceAccount, `${p.namespace}/${p.name} (from inside, ephemeral container)`),
      key: `${identityKey(p.namespace, p.labels, p.serviceAccount)}|in:${p.name}`,
      inPod: p.name,
    })),
  };
}
