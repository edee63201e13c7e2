// Reads the incident commands need besides a snapshot and the policy state (policy-state.ts): the
// active namespaces, and where the Kubernetes API answers for pods.
import * as k8s from '@kubernetes/client-node';
import { apiClient } from './api.ts';
import { apiErrorMessage } from './errors.ts';

/** The namespaces that are Active (pods cannot be started in one being deleted). */
export async function listNamespaceNames(kc: k8s.KubeConfig): Promise<string[]> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const list = await core.listNamespace();
  return list.items.filter((n) => n.status?.phase !== 'Terminating').map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
}

export interface ApiAddress {
  host: string;
  port: number;
}

/**
 * Where pods reach the Kubernetes API: the endpoints of the `default/kubernetes` Service (the addresses a
 * NetworkPolicy egress rule judges, after the Service address is translated, and which netprobe's own
 * machine can control-probe), or its ClusterIP when the endpoints cannot be read. `problems` says what
 * could not be read.
 */
export async function readKubeApiAddresses(kc: k8s.KubeConfig): Promise<{ addresses: ApiAddress[]; problems: string[] }> {
  const core = apiClient(kc, k8s.CoreV1Api);
  const service: ApiAddress[] = [];
  const endpoints: ApiAddress[] = [];
  const problems: string[] = [];
  try {
    const svc = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    const ip = svc.spec?.clusterIP;
    const port = svc.spec?.ports?.find((p) => p.name === 'https')?.port ?? svc.spec?.ports?.[0]?.port;
    if (ip && ip !== 'None' && port !== undefined) service.push({ host: ip, port });
  } catch (err) {
    problems.push(`cannot read Service default/kubernetes: ${apiErrorMessage(err)}`);
  }
  try {
    const discovery = apiClient(kc, k8s.DiscoveryV1Api);
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' });
    for (const s of slices.items) {
      const port = s.ports?.find((p) => p.name === 'https')?.port ?? s.ports?.[0]?.port;
      if (port === undefined || port === null) continue;
      for (const e of s.endpoints ?? []) for (const host of e.addresses) if (!endpoints.some((a) => a.host === host && a.port === port)) endpoints.push({ host, port });
    }
  } catch (err) {
    problems.push(`cannot read the endpoints of default/kubernetes: ${apiErrorMessage(err)}`);
  }
  return { addresses: endpoints.length > 0 ? endpoints : service, problems };
}
