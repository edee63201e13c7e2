// Workloads the benchmarks deploy as the application under test: restricted namespaces and single-purpose
// Deployments of the echo image, which kubelet readiness shows alive (a TCP check from the node).
import { AGENT } from '../src/probe/podspec.ts';

export function echoImage(): string {
  const image = process.env.ECHO_IMAGE;
  if (!image || !process.env.PROBE_IMAGE || !process.env.KUBECONFIG) {
    throw new Error('set KUBECONFIG, PROBE_IMAGE, ECHO_IMAGE (eval "$(scripts/cluster/cluster up | tail -4)")');
  }
  return image;
}

export function restrictedNamespace(name: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: {pod-security.kubernetes.io/enforce: restricted}}\n`;
}

/**
 * A Deployment serving TCP 8080 (port name `http`) whose pods carry `labels`; `readiness: false` declares
 * no readiness probe, like many real workloads (nothing then shows the port alive before probing).
 */
export function echoDeployment(ns: string, name: string, labels: Record<string, string>, replicas = 1, readiness = true): string {
  const flow = `{${Object.entries(labels).map(([k, v]) => `${k}: "${v}"`).join(', ')}}`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: ${flow}}
  template:
    metadata: {labels: ${flow}}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: 1
      securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: echo
        image: "${echoImage()}"
        imagePullPolicy: IfNotPresent
        command: ["${AGENT}", "serve", "--tcp", "8080"]
        ports: [{name: http, containerPort: 8080, protocol: TCP}]
${readiness ? '        readinessProbe: {tcpSocket: {port: http}, periodSeconds: 2}\n' : ''}        resources: {requests: {cpu: 5m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`;
}

/** A NetworkPolicy that lets in the pods of the namespace itself and nothing else (a common baseline). */
export function sameNamespaceOnly(ns: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: same-namespace-only, namespace: ${ns}}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {}}]}]
`;
}
