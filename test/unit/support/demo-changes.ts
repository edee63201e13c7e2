// Changes to the demo shop's policies that the impact tests share.

/** demo/policies/40-data.yaml's cache-ingress with its planted OR trap fixed (one peer: AND). */
export const CACHE_AND = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache-ingress, namespace: demo-db}
spec:
  podSelector: {matchLabels: {app: cache}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: api}}, podSelector: {matchLabels: {app: api}}}]
    ports: [{protocol: TCP, port: 6379}]
`;
