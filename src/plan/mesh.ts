// Service-mesh proxies on a pod's traffic. An Istio or Linkerd sidecar (and Istio's ambient ztunnel)
// completes the TCP handshake for any destination, so where one sits on the path a "connected" proves
// nothing: only the application's own answer does. Signals are those the meshes themselves set or read.
import type { NamespaceInfo, LivePod } from '../model/cluster.ts';

export interface Mesh {
  name: 'Istio' | 'Istio ambient' | 'Linkerd';
  /** What showed it: "container istio-proxy", "namespace label istio-injection=enabled". */
  signal: string;
}

export function describeMesh(m: Mesh): string {
  return m.name === 'Istio ambient' ? `Istio ambient ztunnel (${m.signal})` : `${m.name} sidecar (${m.signal})`;
}

/** The opt-outs netprobe's own pods carry: no sidecar, and out of ambient's ztunnel. */
export const MESH_OPT_OUT_LABELS: Readonly<Record<string, string>> = { 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none' };
export const MESH_OPT_OUT_ANNOTATIONS: Readonly<Record<string, string>> = { 'sidecar.istio.io/inject': 'false', 'linkerd.io/inject': 'disabled' };

/** The mesh proxy on this pod's traffic, or undefined. A pod on its node's network is never meshed. */
export function meshOnPod(pod: LivePod, ns: NamespaceInfo | undefined): Mesh | undefined {
  if (pod.hostNetwork) return undefined;
  return runningProxy(pod) ?? ambient(pod, ns) ?? istioInjection(pod, ns) ?? linkerdInjection(pod, ns);
}

/** What the pod runs: the proxy containers (or, for a native sidecar, init containers that keep running). */
function runningProxy(pod: LivePod): Mesh | undefined {
  const containers = pod.runningContainers ?? [];
  if (containers.includes('istio-proxy')) return { name: 'Istio', signal: 'container istio-proxy' };
  if (containers.includes('linkerd-proxy')) return { name: 'Linkerd', signal: 'container linkerd-proxy' };
  if (pod.annotations?.['sidecar.istio.io/status']) return { name: 'Istio', signal: 'annotation sidecar.istio.io/status' };
  return undefined;
}

function ambient(pod: LivePod, ns: NamespaceInfo | undefined): Mesh | undefined {
  const mode = pod.labels['istio.io/dataplane-mode'];
  if (mode === 'none') return undefined;
  if (mode === 'ambient') return { name: 'Istio ambient', signal: 'pod label istio.io/dataplane-mode=ambient' };
  if (pod.annotations?.['ambient.istio.io/redirection'] === 'enabled') return { name: 'Istio ambient', signal: 'annotation ambient.istio.io/redirection=enabled' };
  if (ns?.labels['istio.io/dataplane-mode'] === 'ambient') return { name: 'Istio ambient', signal: `namespace ${ns.name} label istio.io/dataplane-mode=ambient` };
  return undefined;
}

/**
 * Injection asked for though no proxy shows (the pod may predate the label, or run a renamed proxy): counted,
 * since a missed mesh turns into a false pass and a wrong guess only into "inconclusive".
 */
function istioInjection(pod: LivePod, ns: NamespaceInfo | undefined): Mesh | undefined {
  const podSays = pod.labels['sidecar.istio.io/inject'] ?? pod.annotations?.['sidecar.istio.io/inject'];
  if (podSays === 'false') return undefined;
  if (podSays === 'true') return { name: 'Istio', signal: 'pod asks for injection: sidecar.istio.io/inject=true' };
  if (pod.labels['istio.io/rev']) return { name: 'Istio', signal: `pod label istio.io/rev=${pod.labels['istio.io/rev']}` };
  const nsLabels = ns?.labels ?? {};
  if (nsLabels['istio-injection'] === 'enabled') return { name: 'Istio', signal: `namespace ${ns!.name} label istio-injection=enabled` };
  if (nsLabels['istio.io/rev'] && nsLabels['istio-injection'] !== 'disabled') return { name: 'Istio', signal: `namespace ${ns!.name} label istio.io/rev=${nsLabels['istio.io/rev']}` };
  return undefined;
}

function linkerdInjection(pod: LivePod, ns: NamespaceInfo | undefined): Mesh | undefined {
  const injects = (v: string | undefined) => v === 'enabled' || v === 'ingress';
  const podSays = pod.annotations?.['linkerd.io/inject'];
  if (podSays === 'disabled') return undefined;
  if (injects(podSays)) return { name: 'Linkerd', signal: `pod annotation linkerd.io/inject=${podSays}` };
  const nsSays = ns?.annotations?.['linkerd.io/inject'];
  if (injects(nsSays)) return { name: 'Linkerd', signal: `namespace ${ns!.name} annotation linkerd.io/inject=${nsSays}` };
  return undefined;
}
