// The lints that look at the state the policies apply to (pods, namespaces, Services), and the runner of
// all lints. Without pods in the state, the lints that need them say nothing rather than guess.
import { compileIPBlock, parseIP, type ParsedIP } from '../model/cidr.ts';
import type { NamespaceInfo, PodInfo, ServiceInfo } from '../model/cluster.ts';
import { formatSelector, type Labels } from '../model/selectors.ts';
import type { CompiledRule, PeerSubject } from './compile.ts';
import { NAMESPACE_NAME_LABEL } from './evaluate.ts';
import { finding, lintTargets, rulesOf, TEXT_LINTS, type LintCode, type LintFinding, type LintTarget } from './lints.ts';
import { resolveNamedPort } from './ports.ts';
import type { InspectedPolicy } from './strict.ts';

export interface LintState {
  pods: readonly PodInfo[];
  namespaces: readonly NamespaceInfo[];
  services: readonly ServiceInfo[];
}

interface StateIndex {
  state: LintState;
  subjects: { pod: PodInfo; subject: PeerSubject }[];
}

function indexState(state: LintState): StateIndex {
  const nsLabels = new Map<string, Labels>(state.namespaces.map((n) => [n.name, { [NAMESPACE_NAME_LABEL]: n.name, ...n.labels }]));
  const subjects = state.pods
    .filter((pod) => pod.hostNetwork !== true)
    .map((pod) => ({
      pod,
      subject: {
        pod: { namespace: pod.namespace, labels: pod.labels, namespaceLabels: nsLabels.get(pod.namespace) ?? { [NAMESPACE_NAME_LABEL]: pod.namespace } },
        ips: pod.ips.map(parseIP).filter((ip): ip is ParsedIP => ip !== undefined),
      },
    }));
  return { state, subjects };
}

function selectedPods(t: LintTarget, ix: StateIndex): PodInfo[] {
  return ix.subjects.filter((s) => s.pod.namespace === t.compiled.namespace && t.compiled.selects(s.pod.labels)).map((s) => s.pod);
}

/** NPL003: a policy whose podSelector matches no pod of its namespace in the state. */
function selectsNoPod(t: LintTarget, ix: StateIndex): LintFinding[] {
  if (selectedPods(t, ix).length > 0) return [];
  const inNs = ix.subjects.filter((s) => s.pod.namespace === t.compiled.namespace).length;
  const sel = formatSelector(t.compiled.policy.spec.podSelector);
  return [finding('NPL003', t.at(['spec', 'podSelector']), `podSelector ${sel} selects none of the ${inNs} pod(s) of namespace ${t.compiled.namespace} in the state: the policy changes nothing until such pods exist (a label typo?)`)];
}

/** NPL006: a named port that no pod the rule can apply to declares (for that protocol): the entry matches nothing. */
function namedPortUndeclared(t: LintTarget, ix: StateIndex): LintFinding[] {
  return rulesOf(t).flatMap((r) => {
    const compiled: CompiledRule | undefined = (r.dir === 'ingress' ? t.compiled.ingress : t.compiled.egress)[r.index];
    // Ingress: the destination is a selected pod. Egress: a pod the rule's peers match (any pod if none listed).
    const candidates =
      r.dir === 'ingress'
        ? selectedPods(t, ix)
        : ix.subjects.filter((s) => compiled?.peers === undefined || compiled.peers.some((p) => p.matches(s.subject))).map((s) => s.pod);
    if (candidates.length === 0) return [];
    return (r.ports ?? []).flatMap((p, k) => {
      if (typeof p.port !== 'string') return [];
      const protocol = p.protocol ?? 'TCP';
      if (candidates.some((pod) => resolveNamedPort(pod, p.port as string, protocol) !== undefined)) return [];
      return [finding('NPL006', t.at(['spec', r.dir, r.index, 'ports', k, 'port']), `named port \`${p.port}\` (${protocol}) is declared by none of the ${candidates.length} pod(s) this ${r.dir} rule applies to, so the entry matches no traffic; name the container port or use its number`)];
    });
  });
}

/** NPL005: an ipBlock that holds pod or Service addresses of the state. */
function ipBlockCoversCluster(t: LintTarget, ix: StateIndex): LintFinding[] {
  const serviceIPs = ix.state.services.flatMap((s) => s.clusterIPs.map((ip) => ({ what: `the Service ${s.namespace}/${s.name}`, ip: parseIP(ip) })));
  return rulesOf(t).flatMap(({ dir, index, peers }) =>
    (peers ?? []).flatMap((p, j) => {
      if (p.ipBlock === undefined) return [];
      const inside = compileIPBlock(p.ipBlock);
      const pod = ix.subjects.find((s) => s.subject.ips.some(inside));
      const svc = serviceIPs.find((s) => s.ip !== undefined && inside(s.ip));
      if (pod === undefined && svc === undefined) return [];
      const what = [pod ? `pod addresses (${pod.pod.namespace}/${pod.pod.name} ${pod.pod.ips[0]})` : '', svc ? `Service addresses (${svc.what})` : ''].filter(Boolean).join(' and ');
      const key = dir === 'ingress' ? 'from' : 'to';
      return [
        finding(
          'NPL005',
          t.at(['spec', dir, index, key, j, 'ipBlock', 'cidr']),
          `ipBlock ${p.ipBlock.cidr} covers ${what}: whether an ipBlock matches pod traffic depends on the network plugin, and Service addresses are translated before policies see them; select pods with pod/namespace selectors, or add them to except`,
        ),
      ];
    }),
  );
}

function allowsDns(ports: readonly { protocol?: string; port?: number | string; endPort?: number }[] | undefined): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((p) => p.protocol === 'UDP' && (p.port === undefined || typeof p.port === 'string' || (p.port <= 53 && (p.endPort ?? p.port) >= 53)));
}

/** NPL004: a namespace with egress-isolated pods and no egress rule that allows UDP 53 anywhere. */
function egressWithoutDns(targets: readonly LintTarget[]): LintFinding[] {
  const byNs = new Map<string, LintTarget[]>();
  for (const t of targets) byNs.set(t.compiled.namespace, [...(byNs.get(t.compiled.namespace) ?? []), t]);
  return [...byNs].flatMap(([ns, list]) => {
    const isolating = list.find((t) => t.compiled.types.Egress);
    if (isolating === undefined || list.some((t) => t.compiled.types.Egress && (t.compiled.policy.spec.egress ?? []).some((r) => allowsDns(r.ports)))) return [];
    const sel = formatSelector(isolating.compiled.policy.spec.podSelector);
    const where = isolating.compiled.typesDefaulted ? ['spec', 'egress'] : ['spec', 'policyTypes'];
    return [finding('NPL004', isolating.at(where), `pods ${sel} of namespace ${ns} are isolated for egress and no egress rule in ${ns} allows UDP port 53, so their DNS lookups fail; allow UDP and TCP 53 to the cluster DNS (kube-system, k8s-app=kube-dns)`)];
  });
}

export interface LintOptions {
  /** Codes not to report. */
  ignore?: readonly LintCode[];
}

/** Every lint finding on the admitted NetworkPolicies, in file and position order. */
export function lintPolicies(inspected: readonly InspectedPolicy[], state: LintState, options: LintOptions = {}): LintFinding[] {
  const targets = lintTargets(inspected);
  const ix = indexState(state);
  const withPods = ix.subjects.length > 0;
  const found = [
    ...targets.flatMap((t) => TEXT_LINTS.flatMap((lint) => lint(t))),
    ...targets.flatMap((t) => ipBlockCoversCluster(t, ix)),
    ...(withPods ? targets.flatMap((t) => [...selectsNoPod(t, ix), ...namedPortUndeclared(t, ix)]) : []),
    ...egressWithoutDns(targets),
  ];
  const ignore = new Set(options.ignore ?? []);
  return found.filter((f) => !ignore.has(f.code)).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}
