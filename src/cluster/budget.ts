// Reads what the cluster can hold of netprobe's pods right now: the nodes with their pod counts, and the
// ResourceQuotas of the namespaces pods go to. Each read that is forbidden or fails is said, and the
// budget goes on without it (src/plan/waves.ts does the arithmetic).
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import { apiErrorMessage } from './errors.ts';
import type { NodeRoom, QuotaRoom } from '../model/capacity.ts';

export interface BudgetReading {
  /** Undefined: the nodes or the pods on them could not be read (see `unread`). */
  nodes?: NodeRoom[];
  quotas: QuotaRoom[];
  unread: string[];
}

function toNode(n: k8s.V1Node, podsOn: number): NodeRoom {
  return {
    name: n.metadata?.name ?? '',
    labels: n.metadata?.labels ?? {},
    taints: (n.spec?.taints ?? []).map((t) => ({ key: t.key, ...(t.value === undefined ? {} : { value: t.value }), effect: t.effect })),
    unschedulable: n.spec?.unschedulable === true,
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    allocatablePods: Number(n.status?.allocatable?.['pods'] ?? 0) || 0,
    podsOn,
  };
}

async function readNodes(core: k8s.CoreV1Api): Promise<NodeRoom[]> {
  const [nodes, pods] = await Promise.all([
    core.listNode(),
    // Pods that hold a slot: bound to a node and not ended. Only the node name is used.
    core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed' }),
  ]);
  const on = new Map<string, number>();
  for (const p of pods.items) on.set(p.spec?.nodeName ?? '', (on.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  return nodes.items.map((n) => toNode(n, on.get(n.metadata?.name ?? '') ?? 0));
}

function toQuota(q: k8s.V1ResourceQuota): QuotaRoom {
  return { namespace: q.metadata?.namespace ?? '', name: q.metadata?.name ?? '', hard: q.status?.hard ?? q.spec?.hard ?? {}, used: q.status?.used ?? {} };
}

/** The nodes and the pods on them, and the quotas of these namespaces; what cannot be read is said in `unread`. */
export async function readBudget(kc: k8s.KubeConfig, podNamespaces: readonly string[]): Promise<BudgetReading> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const unread: string[] = [];
  const reading: BudgetReading = { quotas: [], unread };
  try {
    reading.nodes = await readNodes(core);
  } catch (err) {
    unread.push(`free pod slots on the nodes unknown: cannot list nodes and pods cluster-wide (${apiErrorMessage(err)}); \`netprobe rbac --capacity\` grants it`);
  }
  const quotas = await readQuotas(kc, podNamespaces);
  reading.quotas = quotas.quotas;
  unread.push(...quotas.unread);
  return reading;
}

/** The ResourceQuotas of these namespaces, sorted; a namespace whose quotas cannot be listed is said in `unread`. */
export async function readQuotas(kc: k8s.KubeConfig, namespaces: readonly string[]): Promise<{ quotas: QuotaRoom[]; unread: string[] }> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const quotas: QuotaRoom[] = [];
  const unread: string[] = [];
  await Promise.all(
    namespaces.map(async (namespace) => {
      try {
        quotas.push(...(await core.listNamespacedResourceQuota({ namespace })).items.map(toQuota));
      } catch (err) {
        unread.push(`ResourceQuotas of ${namespace} unknown: cannot list them (${apiErrorMessage(err)})`);
      }
    }),
  );
  quotas.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return { quotas, unread };
}
