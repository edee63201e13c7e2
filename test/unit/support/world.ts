// Builders for engine tests: cases through the real suite loader, and plain ClusterSnapshot fakes.
import { parseYaml } from '../../../src/suite/load.ts';
import { expandSuites, formatDiagnostic, suitesFromDocuments } from '../../../src/suite/index.ts';
import type { Case } from '../../../src/suite/model.ts';
import type { ClusterSnapshot, LivePod, ServiceInfo, WorkloadInfo } from '../../../src/model/cluster.ts';

/** Cases of a suite whose `spec:` body is `body` (YAML indented by two spaces); throws on any diagnostic. */
export function casesOf(body: string): Case[] {
  const text = `apiVersion: netprobe.dev/v1alpha1\nkind: ConnectivitySuite\nmetadata:\n  name: engine\nspec:\n${body.replace(/^\n/, '')}`;
  const parsed = parseYaml('engine.yaml', text);
  const { suites, diagnostics } = suitesFromDocuments(parsed.documents);
  const errors = [...parsed.diagnostics, ...diagnostics].map(formatDiagnostic);
  if (errors.length > 0 || suites.length !== 1) throw new Error(`suite did not load:\n${errors.join('\n')}`);
  return expandSuites(suites);
}

/** The single case of a suite with one expectation, written as a flow mapping. */
export function oneCase(expectation: string, endpoints = ''): Case {
  const cases = casesOf(`${endpoints ? `  endpoints:\n${endpoints}\n` : ''}  expectations:\n    - ${expectation}\n`);
  if (cases.length !== 1) throw new Error(`expected one case, got ${cases.length}`);
  return cases[0]!;
}

let ipSeq = 10;

export function pod(namespace: string, name: string, labels: Record<string, string>, extra: Partial<LivePod> = {}): LivePod {
  return {
    namespace,
    name,
    labels,
    serviceAccount: 'default',
    ips: [`10.244.0.${ipSeq++ % 250}`],
    phase: 'Running',
    ready: true,
    hostNetwork: false,
    containerPorts: [],
    readinessPorts: [],
    ...extra,
  };
}

export function service(namespace: string, name: string, selector: Record<string, string>, ports: ServiceInfo['ports'], clusterIP = '10.96.0.10'): ServiceInfo {
  return { namespace, name, clusterIPs: clusterIP === 'None' ? [] : [clusterIP], selector, ports };
}

export function deployment(namespace: string, name: string, labels: Record<string, string>, serviceAccount = 'default'): WorkloadInfo {
  return { namespace, kind: 'Deployment', name, selector: { matchLabels: labels }, templateLabels: labels, serviceAccount };
}

/** A snapshot holding `namespaces` (each with a `default` service account) and the given objects. */
export function snapshot(namespaces: string[], objects: { pods?: LivePod[]; services?: ServiceInfo[]; workloads?: WorkloadInfo[]; serviceAccounts?: string[] } = {}): ClusterSnapshot {
  return {
    namespaces: namespaces.map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
    pods: objects.pods ?? [],
    services: objects.services ?? [],
    workloads: objects.workloads ?? [],
    serviceAccounts: [...namespaces.map((n) => `${n}/default`), ...(objects.serviceAccounts ?? [])],
  };
}
