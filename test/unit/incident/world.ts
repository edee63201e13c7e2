// A small cluster for the incident generators: web, api (the one isolated), db, and netprobe's own pods
// that must never be taken for the user's.
import type { ClusterSnapshot } from '../../../src/model/cluster.ts';
import { pod, service, snapshot } from '../support/world.ts';

const tcp = (port: number, name?: string) => (name ? { name, port, protocol: 'TCP' as const } : { port, protocol: 'TCP' as const });

export function shopSnapshot(): ClusterSnapshot {
  const s = snapshot(['web', 'api', 'db', 'kube-system'], {
    pods: [
      pod('web', 'web-1', { app: 'web', 'pod-template-hash': 'a1' }, { containerPorts: [tcp(8080, 'http')], readinessPorts: [{ port: 'http', kind: 'tcpSocket' }] }),
      pod('web', 'web-2', { app: 'web', 'pod-template-hash': 'b2' }, { containerPorts: [tcp(8080, 'http')], readinessPorts: [{ port: 'http', kind: 'tcpSocket' }] }),
      pod('api', 'api-1', { app: 'api' }, { containerPorts: [tcp(8080, 'http'), tcp(9090, 'metrics')], readinessPorts: [{ port: 8080, kind: 'tcpSocket' }] }),
      pod('api', 'worker-1', { app: 'worker' }, { containerPorts: [{ port: 8125, protocol: 'UDP' }] }),
      pod('api', 'api-canary', { app: 'api', track: 'canary' }, { containerPorts: [tcp(8081)] }),
      pod('db', 'pg-0', { app: 'postgres' }, { containerPorts: [tcp(5432)], readinessPorts: [{ port: 5432, kind: 'tcpSocket' }] }),
      pod('db', 'pending-0', { app: 'late' }, { phase: 'Pending', ready: false, containerPorts: [tcp(1234)] }),
      pod('api', 'netprobe-x-s0', { app: 'web', 'app.kubernetes.io/managed-by': 'netprobe' }, { netprobeRole: 'source', containerPorts: [tcp(7)] }),
      pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, { containerPorts: [{ port: 53, protocol: 'UDP' }, tcp(53)] }),
    ],
    services: [service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }])],
  });
  s.clusterDns = s.services[0]!;
  s.namespaces = s.namespaces.map((n) => (n.name === 'web' ? { ...n, labels: { ...n.labels, team: 'frontend' } } : n));
  return s;
}
