// Source peers -> the identities probe pods will carry.
import type { NamedPeer, Peer } from '../suite/model.ts';
import { formatSelector } from '../policy/selectors.ts';
import { distinctIdentities, makeIdentity } from './identity.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import type { SourceIdentity } from './types.ts';

export type SourceResolution = { identities: SourceIdentity[] } | { reason: string };

/** Pods that can stand for a sender: anything scheduled and not finished. */
function isLive(phase: string): boolean {
  return phase === 'Running' || phase === 'Pending';
}

export function resolveSource(named: NamedPeer, idx: SnapshotIndex, synthesizeMissing: boolean): SourceResolution {
  const peer: Peer = named.peer;
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
