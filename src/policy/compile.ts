// One NetworkPolicy turned into matchers, once: policyTypes defaulting, selector and ipBlock compilation,
// and the peer rules (who a `from`/`to` entry matches). Evaluation (evaluate.ts) only calls these.

import { compileIPBlock, parseCIDR, type IPBlockMatcher, type ParsedIP } from '../model/cidr.ts';
import { compileSelector, formatSelector, type LabelMatcher } from '../model/selectors.ts';
import { policyKey, type NetworkPolicy, type NetworkPolicyPeer, type NetworkPolicyPort, type PolicyType } from './types.ts';
import { type Labels } from '../model/selectors.ts';

/** What a peer is matched against: a pod (with its namespace's labels) or a bare address. */
export interface PeerSubject {
  /** Present when the other side is a pod that selectors may match (not a hostNetwork pod in node mode). */
  pod?: { namespace: string; labels: Labels; namespaceLabels: Labels };
  /** Every address of the other side (ipBlock matches if any of them is inside). */
  ips: readonly ParsedIP[];
}

export interface CompiledPeer {
  peer: NetworkPolicyPeer;
  matches: (s: PeerSubject) => boolean;
  /** Human-readable form, e.g. `pods app=web in namespace prod`. */
  text: string;
}

export interface CompiledRule {
  direction: PolicyType;
  index: number;
  /** Undefined: the rule lists no peers and so matches every peer. */
  peers: CompiledPeer[] | undefined;
  ports: NetworkPolicyPort[] | undefined;
}

export interface CompiledPolicy {
  key: string;
  policy: NetworkPolicy;
  namespace: string;
  selects: LabelMatcher;
  /** The effective policyTypes, after defaulting. */
  types: { Ingress: boolean; Egress: boolean };
  /** True when policyTypes was absent or empty and the types were derived from the rules. */
  typesDefaulted: boolean;
  ingress: CompiledRule[];
  egress: CompiledRule[];
  /** Things the API server would have rejected, and how the engine treated them. */
  problems: string[];
}

/**
 * policyTypes defaulting: when absent or empty, Ingress always, and Egress only when the policy has at
 * least one egress rule (an empty `egress: []` does not make it an egress policy).
 */
export function effectivePolicyTypes(policy: NetworkPolicy): { Ingress: boolean; Egress: boolean; defaulted: boolean } {
  const listed = policy.spec.policyTypes ?? [];
  if (listed.length > 0) {
    return { Ingress: listed.includes('Ingress'), Egress: listed.includes('Egress'), defaulted: false };
  }
  return { Ingress: true, Egress: (policy.spec.egress ?? []).length > 0, defaulted: true };
}

function compilePeer(peer: NetworkPolicyPeer, policyNs: string, where: string, problems: string[]): CompiledPeer {
  if (peer.ipBlock !== undefined) {
    if (peer.podSelector !== undefined || peer.namespaceSelector !== undefined) {
      problems.push(`${where}: ipBlock cannot be combined with selectors in one peer (API rejects it); using the ipBlock alone`);
    }
    const block: IPBlockMatcher = compileIPBlock(peer.ipBlock);
    if (parseCIDR(peer.ipBlock.cidr) === undefined) {
      problems.push(`${where}: ipBlock cidr ${JSON.stringify(peer.ipBlock.cidr)} does not parse; it matches nothing`);
    }
    const except = peer.ipBlock.except ?? [];
    return {
      peer,
      matches: (s) => s.ips.some(block),
      text: `ipBlock ${peer.ipBlock.cidr}${except.length > 0 ? ` except ${except.join(', ')}` : ''}`,
    };
  }
  const { podSelector, namespaceSelector } = peer;
  if (podSelector === undefined && namespaceSelector === undefined) {
    problems.push(`${where}: an empty peer names nothing (API rejects it); it matches nothing`);
    return { peer, matches: () => false, text: 'empty peer (matches nothing)' };
  }
  const pods: LabelMatcher = compileSelector(podSelector ?? {});
  const nsText =
    namespaceSelector === undefined ? `in namespace ${policyNs}` : `in namespaces ${formatSelector(namespaceSelector)}`;
  const podText = podSelector === undefined ? 'all pods' : `pods ${formatSelector(podSelector)}`;
  const text = `${podText} ${nsText}`;
  if (namespaceSelector === undefined) {
    return { peer, text, matches: (s) => s.pod !== undefined && s.pod.namespace === policyNs && pods(s.pod.labels) };
  }
  const nss = compileSelector(namespaceSelector);
  return { peer, text, matches: (s) => s.pod !== undefined && nss(s.pod.namespaceLabels) && pods(s.pod.labels) };
}

function compileRules(
  direction: PolicyType,
  rules: ReadonlyArray<{ peers: NetworkPolicyPeer[] | undefined; ports: NetworkPolicyPort[] | undefined }>,
  policyNs: string,
  problems: string[],
): CompiledRule[] {
  const field = direction === 'Ingress' ? 'from' : 'to';
  return rules.map((r, index) => {
    const peers =
      r.peers === undefined || r.peers.length === 0
        ? undefined
        : r.peers.map((p, i) =>
            compilePeer(p, policyNs, `${direction.toLowerCase()}[${index}].${field}[${i}]`, problems),
          );
    for (const p of r.ports ?? []) {
      if (p.endPort !== undefined && typeof p.port !== 'number') {
        problems.push(`${direction.toLowerCase()}[${index}]: endPort needs a numeric port (API rejects it)`);
      }
    }
    return { direction, index, peers, ports: r.ports };
  });
}

export function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  const ns = policy.metadata.namespace;
  const problems: string[] = [];
  const types = effectivePolicyTypes(policy);
  const ingress = compileRules(
    'Ingress',
    (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })),
    ns,
    problems,
  );
  const egress = compileRules(
    'Egress',
    (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })),
    ns,
    problems,
  );
  return {
    key: policyKey(policy),
    policy,
    namespace: ns,
    selects: compileSelector(policy.spec.podSelector ?? {}),
    types: { Ingress: types.Ingress, Egress: types.Egress },
    typesDefaulted: types.defaulted,
    ingress,
    egress,
    problems,
  };
}
