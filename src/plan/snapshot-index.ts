// Lookups over a cluster snapshot that resolving sources and targets needs.
import type { ClusterSnapshot, NamespaceInfo, LivePod, ServiceInfo, WorkloadInfo } from '../model/cluster.ts';
import type { LabelSelector } from '../model/selectors.ts';
import { compileSelector } from '../model/selectors.ts';

export interface SnapshotIndex {
  snapshot: ClusterSnapshot;
  hasNamespace(ns: string): boolean;
  namespace(ns: string): NamespaceInfo | undefined;
  hasServiceAccount(ns: string, name: string): boolean;
  /** Pods of users (not netprobe's own), matching a selector in a namespace. */
  podsMatching(ns: string, selector: LabelSelector): LivePod[];
  pod(ns: string, name: string): LivePod | undefined;
  service(ns: string, name: string): ServiceInfo | undefined;
  workload(ns: string, kind: WorkloadInfo['kind'], name: string): WorkloadInfo | undefined;
}

export function indexSnapshot(snapshot: ClusterSnapshot): SnapshotIndex {
  const namespaces = new Set(snapshot.namespaces.map((n) => n.name));
  const serviceAccounts = new Set(snapshot.serviceAccounts);
  const podsByNs = new Map<string, LivePod[]>();
  for (const pod of snapshot.pods) {
    if (pod.netprobeRole) continue;
    const list = podsByNs.get(pod.namespace) ?? [];
    list.push(pod);
    podsByNs.set(pod.namespace, list);
  }
  return {
    snapshot,
    hasNamespace: (ns) => namespaces.has(ns),
    namespace: (ns) => snapshot.namespaces.find((n) => n.name === ns),
    hasServiceAccount: (ns, name) => serviceAccounts.has(`${ns}/${name}`),
    podsMatching(ns, selector) {
      const matches = compileSelector(selector);
      return (podsByNs.get(ns) ?? []).filter((p) => matches(p.labels)).sort((a, b) => a.name.localeCompare(b.name));
    },
    pod: (ns, name) => (podsByNs.get(ns) ?? []).find((p) => p.name === name),
    service: (ns, name) => snapshot.services.find((s) => s.namespace === ns && s.name === name),
    workload: (ns, kind, name) =>
      snapshot.workloads.find((w) => w.namespace === ns && w.kind === kind && w.name === name),
  };
}

/** A pod with an address: its primary one is `ips[0]`. */
export type ServingPod = LivePod & { ips: [string, ...string[]] };

/** Running, Ready and addressable: the only pods worth sending a probe to. */
export function isServing(pod: LivePod): pod is ServingPod {
  return pod.phase === 'Running' && pod.ready && pod.ips.length > 0;
}
