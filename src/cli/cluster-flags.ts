// The kubectl-style flags every cluster-facing command shares. Parsing only: src/cluster/ is the one
// place that talks to the Kubernetes API and decides what an absent flag means (KUBECONFIG, current context).

export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** Spread into a command's parseArgs options: `{ ...CLUSTER_OPTIONS, only: {...} }`. */
export const CLUSTER_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
} as const;

/** Lines for a command's usage text. */
export const CLUSTER_FLAGS_USAGE = [
  '  --kubeconfig FILE    kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)',
  '  --context NAME       kubeconfig context (default: the current context)',
  '  -n, --namespace NS   namespace for peers that name none and for netprobe\'s own pods',
].join('\n');

/** Picks the cluster flags out of parseArgs values; empty strings count as absent. */
export function clusterFlagsFrom(values: { kubeconfig?: unknown; context?: unknown; namespace?: unknown }): ClusterFlags {
  const flags: ClusterFlags = {};
  if (typeof values.kubeconfig === 'string' && values.kubeconfig !== '') flags.kubeconfig = values.kubeconfig;
  if (typeof values.context === 'string' && values.context !== '') flags.context = values.context;
  if (typeof values.namespace === 'string' && values.namespace !== '') flags.namespace = values.namespace;
  return flags;
}
