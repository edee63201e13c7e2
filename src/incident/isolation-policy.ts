// The emergency NetworkPolicy that matches `netprobe isolation`: the isolated pods get no ingress and no
// egress except what the runbook keeps (cluster DNS, given addresses). Printed for a person to apply;
// netprobe never applies it. Pure.
import { Document } from 'yaml';
import { parseIP } from '../model/cidr.ts';
import { NAMESPACE_NAME_LABEL } from '../policy/evaluate.ts';
import type { NetworkPolicy, NetworkPolicyEgressRule } from '../policy/types.ts';
import { labelText } from './common.ts';
import { hostPortText, KEEP_WORDS, parseHostPort, type HostPort } from './isolation-suite.ts';

export interface IsolationPolicyOptions {
  namespace: string;
  selector?: Record<string, string>;
  keep?: readonly string[];
  /** Where the Kubernetes API answers (endpoint addresses), for `--keep kube-api`. */
  kubeApi?: readonly HostPort[];
  name?: string;
}

export const ISOLATION_POLICY_NAME = 'netprobe-emergency-isolation';

export function isolationPolicy(o: IsolationPolicyOptions): { policy: NetworkPolicy; yaml: string; notes: string[] } {
  const selector = o.selector ?? {};
  const keep = [...new Set(o.keep ?? [])];
  const notes: string[] = [];
  const egress: NetworkPolicyEgressRule[] = [];
  const ruleComments: string[] = [];
  const ipRule = (h: HostPort, why: string): void => {
    const ip = parseIP(h.host);
    if (ip === undefined) {
      notes.push(`${hostPortText(h)}: a NetworkPolicy matches addresses, not names; keep it with the address it resolves to`);
      return;
    }
    egress.push({ to: [{ ipBlock: { cidr: `${h.host}/${h.host.includes(':') ? 128 : 32}` } }], ports: [{ protocol: h.protocol, port: h.port }] });
    ruleComments.push(why);
  };
  for (const k of keep) {
    if (k === 'dns') {
      egress.push({
        to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      });
      ruleComments.push('kept: cluster DNS (kube-system, k8s-app=kube-dns), UDP and TCP 53');
    } else if (k === 'kube-api') {
      if ((o.kubeApi ?? []).length === 0) notes.push('kube-api: the API server endpoints are not known; add --from-cluster to read them, or name them with --keep IP:PORT (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)');
      for (const api of o.kubeApi ?? []) ipRule(api, `kept: the Kubernetes API at ${hostPortText(api)}`);
    } else if (!(KEEP_WORDS as readonly string[]).includes(k)) {
      const h = parseHostPort(k);
      ipRule(h, `kept: ${hostPortText(h)}`);
    }
  }
  const policy: NetworkPolicy = {
    metadata: { name: o.name ?? ISOLATION_POLICY_NAME, namespace: o.namespace },
    spec: { podSelector: Object.keys(selector).length > 0 ? { matchLabels: { ...selector } } : {}, policyTypes: ['Ingress', 'Egress'] },
  };
  if (egress.length > 0) policy.spec.egress = egress;

  const manifest = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { ...policy.metadata, labels: { 'app.kubernetes.io/created-by': 'netprobe' }, annotations: { 'netprobe.dev/purpose': 'emergency isolation' } },
    spec: policy.spec,
  };
  const doc = new Document(manifest);
  const what = Object.keys(selector).length > 0 ? `the pods ${labelText(selector)} of namespace ${o.namespace}` : `every pod of namespace ${o.namespace}`;
  doc.commentBefore = [
    ` Emergency isolation of ${what}: no ingress, no egress${keep.length > 0 ? ` except ${keep.join(', ')}` : ''}.`,
    ' Printed by netprobe generate isolation-policy; netprobe never applies it. Apply with kubectl apply -f.',
    ' NetworkPolicies add up: any other policy that selects these pods still lets in (or out) what it allows.',
    ` Remove or narrow them (kubectl get networkpolicy -n ${o.namespace}) or the isolation does not hold.`,
    ` Prove it holds: netprobe isolation ${o.namespace}${Object.keys(selector).length > 0 ? ` --selector ${labelText(selector)}` : ''}${keep.length > 0 ? ` --keep ${keep.join(',')}` : ''}`,
    ...ruleComments.map((c, i) => ` egress[${i}]: ${c}`),
    ...notes.map((n) => ` NOTE: ${n}`),
  ].join('\n');
  return { policy, yaml: doc.toString({ lineWidth: 0 }), notes };
}
