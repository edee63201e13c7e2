// Reads the cluster for `netprobe isolation` and builds the probe set. The policies are read once, for
// the suite (stand-ins, the DNS control) and for the run's evidence, as `run` uses them: control probes
// from an identity they allow show targets alive, canaries show the probe pods' rules in place.
import type * as k8s from '@kubernetes/client-node';
import { apiErrorMessage } from '../cluster/errors.ts';
import type { ClusterSnapshot } from '../model/cluster.ts';
import { readClusterPolicies, type PolicyInputs } from '../run/policy-inputs.ts';
import { SYSTEM_NAMESPACES } from './common.ts';
import { isolationSuite, policyNamespaces, type HostPort, type IsolationSuite } from './isolation-suite.ts';

export interface IsolationInputs {
  namespace: string;
  selector: Record<string, string>;
  keep: string[];
  fromNamespaces: string[] | undefined;
  external: HostPort[];
  timeoutSeconds: number;
}

/** The probe set, and the policies it was built from (undefined: they could not be read). */
export interface ProbeSet {
  suite: IsolationSuite;
  policies: PolicyInputs | undefined;
  /** What it was built from (the run plans from it too, instead of reading it again). */
  snapshot: ClusterSnapshot;
  /** Lines for stderr: what could not be read, and what that costs. */
  warnings: string[];
}

async function policiesOrWhy(kc: k8s.KubeConfig, namespaces: string[], warnings: string[]): Promise<PolicyInputs | undefined> {
  try {
    const read = await readClusterPolicies(kc, namespaces);
    warnings.push(...read.warnings.map((w) => `warning: ${w}`));
    return read.inputs;
  } catch (err) {
    warnings.push(`cannot read the policies: ${apiErrorMessage(err)}`);
    warnings.push('without the policies only "any pod" stand-ins and real pods probe ingress, and the probe pods wait the fixed --settle');
    return undefined;
  }
}

/** Reads the cluster and builds the probe set (errors reading the pods or namespaces are thrown). */
export async function buildProbeSet(kc: k8s.KubeConfig, inputs: IsolationInputs): Promise<ProbeSet> {
  // Lazy: loads @kubernetes/client-node (1-2 s), which only the cluster path needs.
  const { listNamespaceNames, readKubeApiAddresses } = await import('../cluster/incident.ts');
  const { readSnapshot } = await import('../cluster/read.ts');
  const all = await listNamespaceNames(kc);
  const peers = inputs.fromNamespaces ?? all.filter((n) => n !== inputs.namespace && !SYSTEM_NAMESPACES.includes(n));
  // Cluster DNS's namespace too: the run's plan needs its pods for the DNS paths.
  const namespaces = policyNamespaces(inputs.namespace, peers);
  const warnings: string[] = [];
  const [snapshot, policies, api] = await Promise.all([readSnapshot(kc, namespaces), policiesOrWhy(kc, namespaces, warnings), readKubeApiAddresses(kc)]);
  warnings.push(...api.problems);
  const m = policies?.manifests;
  const suite = isolationSuite(snapshot, {
    namespace: inputs.namespace,
    selector: inputs.selector,
    keep: inputs.keep,
    fromNamespaces: peers,
    external: inputs.external,
    kubeApi: api.addresses.map((a) => ({ ...a, protocol: 'TCP' as const })),
    ...(m === undefined ? {} : { policies: m.policies, adminTiers: m.adminPolicies.length + m.baselinePolicies.length > 0 }),
    timeoutSeconds: inputs.timeoutSeconds,
  });
  return { suite, policies, snapshot, warnings };
}
