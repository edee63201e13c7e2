// What the cluster has room for: nodes with their pod slots, and ResourceQuotas with what they have left,
// as plain data (src/cluster/budget.ts reads them, src/plan/waves.ts plans with them).

/** A node as far as the budget cares (src/cluster/budget.ts reads it). */
export interface NodeRoom {
  name: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  unschedulable: boolean;
  ready: boolean;
  /** status.allocatable.pods */
  allocatablePods: number;
  /** Pods bound to it that have not ended. */
  podsOn: number;
}

/** A ResourceQuota's status: hard limits and what is used, as the API writes them. */
export interface QuotaRoom {
  namespace: string;
  name: string;
  hard: Record<string, string>;
  used: Record<string, string>;
}
