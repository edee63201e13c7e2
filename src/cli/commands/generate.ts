// `netprobe generate isolation-policy|from-policies`: print what incident response needs, apply nothing.
import { readPolicyInputs } from '../policy-inputs.ts';
import type { AdminClusterState } from '../../policy/admin.ts';
import { NothingToProbeError, parseLabels } from '../../incident/common.ts';
import { FromPoliciesError, suiteFromPolicies } from '../../incident/from-policies.ts';
import { isolationPolicy } from '../../incident/isolation-policy.ts';
import { KEEP_WORDS, parseHostPort, type HostPort } from '../../incident/isolation-suite.ts';
import { EXIT } from '../../verdict/model.ts';
import { CLUSTER_FLAGS_USAGE, CLUSTER_OPTIONS } from '../cluster-flags.ts';
import type { CliIO, Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { connectFor, listValues, positiveSeconds } from '../incident-shared.ts';
import { readKubeApi } from '../../run/cluster-state.ts';
import { readClusterPolicies } from '../../run/policy-inputs.ts';
import { apiErrorMessage } from '../../cluster/errors.ts';

const USAGE = `netprobe generate WHAT [FLAGS]

  netprobe generate isolation-policy NAMESPACE [--selector K=V,...] [--keep dns,kube-api,IP:PORT,...]
                                    [--from-cluster]
      Prints the emergency NetworkPolicy that cuts NAMESPACE (or the selected pods) off both ways,
      keeping only cluster DNS, the given addresses, and the Kubernetes API endpoints (kube-api, read
      with --from-cluster: the only thing this reads). Never applied by netprobe: review it, then
      kubectl apply -f. \`netprobe isolation\` with the same flags proves it holds.

  netprobe generate from-policies -n NAMESPACE[,...] (--from-cluster | --policies PATH...)
      Prints one suite derived from the NetworkPolicies of the namespaces (each path once): allow
      for every connection on declared ports that the policies let through, deny for those they do
      not, into and out of every pod identity there, against the pods of the namespaces the policies name (--peer-namespaces
      adds more) and a stand-in for any pod of each. Run it with netprobe run: a policy edit that widens a
      rule shows up as a leak.

Flags:
  --selector K=V,...         isolation-policy: isolate only these pods
  --keep WHAT,...            isolation-policy: dns, kube-api, IP:PORT; repeatable
  --from-cluster             from-policies: read policies and pods from the cluster;
                             isolation-policy: read the API endpoints for --keep kube-api
  --policies PATH            from-policies: manifest files or folders (policies, namespaces, workloads); repeatable
  --peer-namespaces A,B      from-policies: judge against these namespaces too
  --timeout SECONDS          from-policies: timeoutSeconds of the suite (default 2)
${CLUSTER_FLAGS_USAGE}
  -h, --help                 show this help

Exit codes: 0 printed; 2 invalid input or usage; 3 the cluster could not be read, or its pods give nothing
to probe (from-policies: no pod, no declared port).
`;

async function fromPolicies(values: { namespace?: string | undefined; 'from-cluster'?: boolean | undefined; policies?: string[] | undefined; 'peer-namespaces'?: string[] | undefined; timeout?: string | undefined; kubeconfig?: string | undefined; context?: string | undefined }, io: CliIO): Promise<number> {
  const nss = listValues(values.namespace === undefined ? [] : [values.namespace]);
  if (nss.length === 0) throw new UsageError('from-policies needs -n/--namespace NAMESPACE[,NAMESPACE...]');
  const fromCluster = values['from-cluster'] === true;
  const paths = values.policies ?? [];
  if (fromCluster === paths.length > 0) throw new UsageError('from-policies needs either --from-cluster or --policies PATH (one of the two)');
  const timeoutSeconds = positiveSeconds(values.timeout, '--timeout', 2);
  if (timeoutSeconds <= 0 || timeoutSeconds > 600) throw new UsageError('--timeout: expected more than 0 and at most 600 seconds');
  const peerNamespaces = listValues(values['peer-namespaces']);
  let state: AdminClusterState;
  let origin: string;
  if (fromCluster) {
    const target = await connectFor('generate', values, io);
    if (!target) return EXIT.undecided;
    try {
      // Every namespace: the policies name their peers by namespace labels, and the suite needs their pods.
      state = (await readClusterPolicies(target.kc, undefined)).inputs.manifests;
    } catch (err) {
      io.stderr(`netprobe generate: cannot read the cluster at ${target.server}: ${apiErrorMessage(err)}\n`);
      return EXIT.undecided;
    }
    origin = `the cluster (context ${target.context})`;
  } else {
    const inputs = await readPolicyInputs('generate', paths, io);
    if (inputs === undefined) return EXIT.usage;
    state = inputs.manifests;
    origin = paths.join(', ');
  }
  try {
    const out = suiteFromPolicies(state, { namespaces: nss, peerNamespaces, timeoutSeconds, origin });
    for (const n of out.notes) io.stderr(`netprobe generate: note: ${n}\n`);
    io.stderr(`netprobe generate: ${out.counts.expectations} expectations (${out.counts.allow} allow, ${out.counts.deny} deny) from ${out.counts.policies} policies of ${nss.join(', ')}\n`);
    io.stdout(out.yaml);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof FromPoliciesError || err instanceof NothingToProbeError) {
      io.stderr(`netprobe generate: ${err.message}\n`);
      return err instanceof NothingToProbeError ? EXIT.undecided : EXIT.usage;
    }
    throw err;
  }
}

export const command: Command = {
  name: 'generate',
  summary: 'print an emergency isolation policy, or a suite derived from existing NetworkPolicies',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...CLUSTER_OPTIONS,
      selector: { type: 'string' },
      keep: { type: 'string', multiple: true },
      'from-cluster': { type: 'boolean' },
      policies: { type: 'string', multiple: true },
      'peer-namespaces': { type: 'string', multiple: true },
      timeout: { type: 'string' },
    });
    const [what, ...rest] = positionals;
    if (what === 'isolation-policy') {
      if (rest.length !== 1) throw new UsageError('isolation-policy needs one NAMESPACE');
      let selector: Record<string, string>;
      const keep = listValues(values.keep);
      try {
        selector = values.selector === undefined ? {} : parseLabels(values.selector);
        for (const k of keep) if (!(KEEP_WORDS as readonly string[]).includes(k)) parseHostPort(k);
      } catch (err) {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }
      // --keep kube-api needs the API's addresses: read them when --from-cluster allows it.
      let kubeApi: HostPort[] = [];
      if (keep.includes('kube-api') && values['from-cluster'] === true) {
        const target = await connectFor('generate', values, io);
        if (!target) return EXIT.undecided;
        const api = await readKubeApi(target.kc);
        for (const p of api.problems) io.stderr(`netprobe generate: ${p}\n`);
        kubeApi = api.addresses.map((a) => ({ ...a, protocol: 'TCP' as const }));
      }
      const out = isolationPolicy({ namespace: rest[0]!, selector, keep, kubeApi });
      for (const n of out.notes) io.stderr(`netprobe generate: note: ${n}\n`);
      io.stdout(out.yaml);
      return EXIT.ok;
    }
    if (what === 'from-policies') {
      if (rest.length > 0) throw new UsageError(`from-policies takes no positional argument (got ${rest.join(' ')}); name the namespace with -n`);
      return fromPolicies(values, io);
    }
    throw new UsageError(what === undefined ? 'nothing to generate: expected isolation-policy or from-policies' : `unknown kind \`${what}\`; expected isolation-policy or from-policies`);
  },
};
