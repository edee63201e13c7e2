// `netprobe rbac SUITE...`: the namespaced Roles and RoleBindings a run of these suites needs, as YAML.
import type { Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { expandSuites, formatDiagnostic, loadSuites, selectSuites } from '../../suite/index.ts';
import { EXIT } from '../../verdict/model.ts';
import type { Subject } from '../../cluster/rbac-manifests.ts';
import { budgetPermissions } from '../../cluster/access.ts';
import { namespaceUse, usePermissions } from '../../run/namespace-use.ts';
import { predictionPermissions } from '../../run/policy-inputs.ts';
import { rbacManifests, rbacValues, renderRbac, renderRbacValues } from '../../cluster/rbac-manifests.ts';

const USAGE = `netprobe rbac [FLAGS] SUITE...

Prints, as YAML for \`kubectl apply -f -\`, exactly the RBAC a \`netprobe run\` of the suites under SUITE
needs, bound to one ServiceAccount (or user or group): in every namespace the suites name, a Role and a RoleBinding that read
what planning reads (the namespace itself, pods, Services, service accounts, workloads); only where
probe pods go, create, exec into and delete pods; where only echo servers go, create and delete them;
only with --ephemeral (or \`ephemeral: true\` sources), ephemeral containers where those sources run;
only with --verify-targets, ephemeral containers and pod logs where deny targets run;
where pods go, list ResourceQuotas (the run plans its waves of pods under them). Nothing is granted in
any other namespace, and no ClusterRole at all unless --predict needs its one read-only verb (list
namespaces, for the namespace labels NetworkPolicies select on) or --capacity its two (list nodes and
pods, to count each node's free pod slots). The ServiceAccount is not included.

No cluster is needed: every peer of a suite names its namespace. The permissions are the lists
\`netprobe run\` checks before creating anything, so the run accepts exactly what this prints (the
ResourceQuota and --capacity reads are not checked: without them a run says what it could not read).

Flags:
  --service-account NAME               the subject (default netprobe)
  -n, --service-account-namespace NS   its namespace (default netprobe)
  --user NAME | --group NAME           the subject is a user or a group instead (a person, a CI identity
                                       from the cluster's authenticator)
  --name NAME                          name of the Roles and RoleBindings (default netprobe); the
                                       ClusterRole for --predict is NAME-read
  --ephemeral                          as \`run --ephemeral\`: also ephemeral containers where sources run
  --verify-targets                     as \`run --verify-targets\`: also ephemeral containers (and their
                                       logs) where deny targets run
  --synthesize-missing                 as \`run --synthesize-missing\`: echo servers where targets are
  --predict                            as \`run --predict\`: read NetworkPolicies, and list namespaces
  --capacity                           list nodes and pods cluster-wide (read-only), so runs plan their
                                       waves by the nodes' free pod slots too (without it: by quotas
                                       and --max-pods, and the run says so)
  --only NAME|TAG                      only these expectations (comma-separated, repeatable)
  -o, --output manifests|values        manifests (default): the Roles and bindings above; values: the
                                       same rules as a values file of the Helm chart charts/netprobe
                                       (rbac.roles by namespace, rbac.clusterRules), which binds them
                                       to the release's own ServiceAccount
  -h, --help                           show this help

Example:
  kubectl create namespace netprobe && kubectl create serviceaccount netprobe -n netprobe
  netprobe rbac suites/demo | kubectl apply -f -
  netprobe rbac -o values suites/demo > rbac-values.yaml   # helm install ... -f rbac-values.yaml

Exit codes: 0 printed; 2 invalid input or usage (file:line:col on stderr, nothing printed).
`;

/** A DNS-1123 label (namespaces) or subdomain (ServiceAccounts, RBAC object names are looser still). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkName(flag: string, value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected ${what}`);
  return value;
}

function subjectFrom(values: { 'service-account'?: string; 'service-account-namespace'?: string; user?: string; group?: string }): Subject {
  const given = (['service-account', 'user', 'group'] as const).filter((f) => values[f] !== undefined);
  if (given.length > 1) throw new UsageError(`--${given[0]} and --${given[1]} exclude each other: one subject`);
  const person = values.user !== undefined ? ('User' as const) : values.group !== undefined ? ('Group' as const) : undefined;
  if (person !== undefined) {
    if (values['service-account-namespace'] !== undefined) throw new UsageError(`--service-account-namespace: a ${person.toLowerCase()} has no namespace`);
    const name = values.user ?? values.group ?? '';
    if (name.trim() === '') throw new UsageError(`--${person.toLowerCase()}: expected a name`);
    return { kind: person, apiGroup: 'rbac.authorization.k8s.io', name };
  }
  return {
    kind: 'ServiceAccount',
    name: checkName('--service-account', values['service-account'] ?? 'netprobe', DNS_SUBDOMAIN, 'a ServiceAccount name (lower-case DNS subdomain)'),
    namespace: checkName('--service-account-namespace', values['service-account-namespace'] ?? 'netprobe', DNS_LABEL, 'a namespace name (lower-case DNS label)'),
  };
}

const describeSubject = (s: Subject): string => (s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace}/${s.name} (not created here)` : `${s.kind} ${s.name}`);

export const command: Command = {
  name: 'rbac',
  summary: 'print the namespaced Roles a run of these suites needs (YAML for kubectl apply)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      'service-account': { type: 'string' },
      'service-account-namespace': { type: 'string', short: 'n' },
      user: { type: 'string' },
      group: { type: 'string' },
      name: { type: 'string', default: 'netprobe' },
      ephemeral: { type: 'boolean' },
      'verify-targets': { type: 'boolean' },
      'synthesize-missing': { type: 'boolean' },
      predict: { type: 'boolean' },
      capacity: { type: 'boolean' },
      only: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o', default: 'manifests' },
    });
    if (values.output !== 'manifests' && values.output !== 'values') throw new UsageError(`-o ${JSON.stringify(values.output)}: expected manifests or values`);
    if (positionals.length === 0) throw new UsageError('no SUITE given; expected one or more suite files or folders');
    const subject = subjectFrom(values);
    const name = checkName('--name', values.name, DNS_SUBDOMAIN, 'a lower-case DNS subdomain');

    const loaded = await loadSuites(positionals);
    if (loaded.diagnostics.length > 0) {
      for (const d of loaded.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      io.stderr('netprobe rbac: invalid input, nothing printed\n');
      return EXIT.usage;
    }
    const { suites, unmatched } = selectSuites(loaded.suites, values.only ?? []);
    if (unmatched.length > 0) throw new UsageError(`--only ${unmatched.join(', ')} matched no expectation name or tag`);

    const use = namespaceUse(expandSuites(suites), { ephemeral: values.ephemeral === true, synthesizeMissing: values['synthesize-missing'] === true, verifyTargets: values['verify-targets'] === true }, 'possible');
    // policy-state.ts loads the Kubernetes client: only when --predict asks for its list.
    const predictPerms = values.predict === true ? await predictionPermissions(use.read) : [];
    const perms = [...usePermissions(use), ...budgetPermissions([...use.pods, ...use.servers], values.capacity === true), ...predictPerms];
    const list = (xs: readonly string[]) => (xs.length > 0 ? xs.join(', ') : '(none)');
    const comments = [
      `netprobe rbac ${args.join(' ')}`,
      values.output === 'values' ? 'For the ServiceAccount of a release of charts/netprobe.' : `For ${describeSubject(subject)}.`,
      `Read: ${list(use.read)}`,
      `Probe pods and echo servers: ${list(use.pods)}`,
      `Ephemeral containers: ${list(use.ephemeral)}`,
      ...(values['verify-targets'] === true ? [`Ephemeral containers reading deny targets' sockets (--verify-targets): ${list(use.verify)}`] : []),
    ];
    io.stdout(values.output === 'values' ? renderRbacValues(rbacValues(perms), comments) : renderRbac(rbacManifests(perms, subject, name), comments));
    return EXIT.ok;
  },
};
