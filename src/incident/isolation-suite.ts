// The probe set that proves a namespace (or the pods of a selector in it) is isolated: nothing gets in,
// nothing gets out except what the runbook keeps open. Built from a cluster snapshot as a suite (YAML
// text), so `--write-suite` keeps exactly what `netprobe isolation` runs. Pure.
import type { ClusterSnapshot, NamespaceInfo } from '../model/cluster.ts';
import { NAMESPACE_NAME_LABEL } from '../policy/evaluate.ts';
import { standInLabels } from '../model/selectors.ts';
import { compileSelector } from '../model/selectors.ts';
import { CLUSTER_DNS } from '../suite/definitions.ts';
import type { NetworkPolicy } from '../policy/types.ts';
import {
  byProtocol,
  EndpointNames,
  exactSelector,
  groupName,
  labelText,
  noServingPods,
  NothingToProbeError,
  podGroups,
  renderSuite,
  STAND_IN_LABEL,
  STAND_IN_VALUE,
  SYSTEM_NAMESPACES,
  type ExpectationYaml,
  type L4Name,
  type PeerYaml,
  type PodGroup,
} from './common.ts';

export interface HostPort {
  host: string;
  port: number;
  protocol: L4Name;
}

export interface IsolationOptions {
  namespace: string;
  /** matchLabels of the isolated pods; empty or absent: every pod of the namespace. */
  selector?: Record<string, string>;
  /** What the runbook keeps open: `dns`, `kube-api`, or `HOST:PORT` of an external address. */
  keep?: readonly string[];
  /** The other namespaces to check against (ingress sources, egress destinations). Default: all but kube-*. */
  fromNamespaces?: readonly string[];
  /** Addresses outside the cluster that the target must not reach (unless kept). */
  external?: readonly HostPort[];
  /** Where the Kubernetes API answers: its Service ClusterIP and its endpoints. */
  kubeApi?: readonly HostPort[];
  /**
   * The NetworkPolicies of the target namespace and of the other namespaces; absent: not known (RBAC).
   * For every rule of the target namespace that lets specific pods of another namespace in, a stand-in
   * with those labels probes it when no such pod runs; they also say where a stand-in adds nothing.
   */
  policies?: readonly NetworkPolicy[];
  /** AdminNetworkPolicies or a BaselineAdminNetworkPolicy exist: every stand-in stays. */
  adminTiers?: boolean;
  /**
   * A namespace whose pods may query cluster DNS: when DNS is not kept, a pod there asks cluster DNS too,
   * which shows the DNS pods alive, so a denied query from the isolated pods is proof and not a guess.
   * Default: the first other namespace with no NetworkPolicy, when the policies are known.
   */
  dnsControlNamespace?: string;
  timeoutSeconds?: number;
  name?: string;
}

export interface IsolationSuite {
  yaml: string;
  /** Things the probe set cannot cover, for stderr. */
  notes: string[];
  /** Isolated identities, ingress sources, and expectations written. */
  counts: { targets: number; sources: number; expectations: number };
}

export class IsolationInputError extends Error {}

export const KEEP_WORDS = ['dns', 'kube-api'] as const;

/** `HOST:PORT`, `HOST:PORT/UDP`, `[v6]:PORT`. */
export function parseHostPort(text: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:/\s]+)):(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(text.trim());
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) throw new IsolationInputError(`${JSON.stringify(text)}: expected HOST:PORT (a port 1-65535), optionally /UDP`);
  return { host: (m[1] ?? m[2])!, port, protocol: (m[4]?.toUpperCase() ?? 'TCP') as L4Name };
}

export function hostPortText(h: HostPort): string {
  const host = h.host.includes(':') ? `[${h.host}]` : h.host;
  return `${host}:${h.port}${h.protocol === 'TCP' ? '' : `/${h.protocol}`}`;
}

function namespaceLabels(ns: NamespaceInfo): Record<string, string> {
  return { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name };
}

/** Label sets that rules of `namespace`'s policies admit from pods of `peerNs` (specific pods only). */
function admittedLabelSets(policies: readonly NetworkPolicy[], namespace: string, peerNs: NamespaceInfo): { labels: Record<string, string>; why: string }[] {
  const out: { labels: Record<string, string>; why: string }[] = [];
  for (const p of policies) {
    if (p.metadata.namespace !== namespace) continue;
    (p.spec.ingress ?? []).forEach((rule, i) => {
      for (const peer of rule.from ?? []) {
        if (peer.podSelector === undefined) continue;
        const nsMatches = peer.namespaceSelector === undefined ? peerNs.name === namespace : compileSelector(peer.namespaceSelector)(namespaceLabels(peerNs));
        if (!nsMatches) continue;
        const labels = standInLabels(peer.podSelector);
        if (labels === undefined || Object.keys(labels).length === 0) continue;
        if (out.some((o) => labelText(o.labels) === labelText(labels))) continue;
        out.push({ labels, why: `pods policy ${namespace}/${p.metadata.name} admits (ingress rule ${i})` });
      }
    });
  }
  return out;
}

/**
 * Whether an "any pod" stand-in in `peerNs` can only repeat what its real pods show: the policies are
 * known, there is no admin tier, the namespace has real pods and no NetworkPolicy (so a new pod's egress
 * is theirs: unrestricted), and every ingress rule of `namespace` that would admit the stand-in admits one
 * of those pods too. Then the stand-in's pod is saved; otherwise it stays.
 */
function standInAddsNothing(o: IsolationOptions, namespace: string, peerNs: NamespaceInfo, real: readonly PodGroup[]): boolean {
  const policies = o.policies;
  if (policies === undefined || o.adminTiers === true || real.length === 0) return false;
  if (policies.some((p) => p.metadata.namespace === peerNs.name)) return false;
  const standIn = { [STAND_IN_LABEL]: STAND_IN_VALUE };
  for (const p of policies) {
    if (p.metadata.namespace !== namespace) continue;
    for (const rule of p.spec.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        if (peer.ipBlock !== undefined) continue;
        const nsMatches = peer.namespaceSelector === undefined ? peerNs.name === namespace : compileSelector(peer.namespaceSelector)(namespaceLabels(peerNs));
        if (!nsMatches) continue;
        const pods = compileSelector(peer.podSelector ?? {});
        if (pods(standIn) && !real.some((g) => pods(g.labels))) return false;
      }
    }
  }
  return true;
}

/**
 * The namespaces whose policies and pods an isolation check reads: the isolated one, the others, and
 * cluster DNS's. Without the DNS pods the isolated pods' DNS path cannot be predicted, so their probe pods
 * get no canaries and wait the fixed settle.
 */
export function policyNamespaces(namespace: string, peers: readonly string[]): string[] {
  return [...new Set([namespace, ...peers, CLUSTER_DNS.namespace])];
}

export function isolationSuite(snapshot: ClusterSnapshot, o: IsolationOptions): IsolationSuite {
  const ns = o.namespace;
  const namespaces = new Map(snapshot.namespaces.map((n) => [n.name, n]));
  if (!namespaces.has(ns)) throw new IsolationInputError(`namespace ${ns} does not exist`);
  const selector = o.selector ?? {};
  const selecting = Object.keys(selector).length > 0;
  const keep = new Set(o.keep ?? []);
  for (const k of keep) {
    if (!(KEEP_WORDS as readonly string[]).includes(k)) parseHostPort(k);
  }
  const keptHosts = new Set([...keep].filter((k) => !(KEEP_WORDS as readonly string[]).includes(k)).map((k) => hostPortText(parseHostPort(k))));
  const notes: string[] = [];

  const peerNames = o.fromNamespaces !== undefined ? [...o.fromNamespaces] : [...namespaces.keys()].filter((n) => n !== ns && !SYSTEM_NAMESPACES.includes(n)).sort();
  const peers: NamespaceInfo[] = [];
  for (const n of peerNames) {
    const info = namespaces.get(n);
    if (info === undefined) throw new IsolationInputError(`namespace ${n} (in --from-namespaces) does not exist`);
    if (n === ns) throw new IsolationInputError(`--from-namespaces: ${n} is the isolated namespace itself`);
    peers.push(info);
  }

  const allGroups = podGroups(snapshot.pods);
  const nsGroups = allGroups.filter((g) => g.namespace === ns);
  const matches = compileSelector({ matchLabels: selector });
  const targets = nsGroups.filter((g) => matches(g.labels));
  if (targets.length === 0) {
    const why = selecting ? `no Running and Ready pod in ${ns} matches ${labelText(selector)}` : noServingPods(snapshot.pods, [ns]);
    throw new NothingToProbeError(`${why}: nothing to isolate`);
  }

  const names = new EndpointNames();
  const endpoints: Record<string, PeerYaml> = {};
  const endpointComments: Record<string, string> = {};
  const targetNames = targets.map((g) => {
    const name = names.take(groupName(g));
    endpoints[name] = { namespace: ns, podSelector: exactSelector(g, nsGroups) };
    endpointComments[name] = `isolated: ${g.pods.length} pod${g.pods.length === 1 ? '' : 's'} (${labelText(g.labels)}), ports ${g.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none declared'}`;
    return name;
  });

  // Other pods get one endpoint each, shared by ingress (as sources) and egress (as destinations).
  const groupNames = new Map<PodGroup, string>();
  const groupEndpoint = (g: PodGroup): string => {
    let name = groupNames.get(g);
    if (name === undefined) {
      name = names.take(groupName(g));
      groupNames.set(g, name);
      endpoints[name] = { namespace: g.namespace, podSelector: exactSelector(g, allGroups) };
      endpointComments[name] = `${g.pods.length} pod${g.pods.length === 1 ? '' : 's'} (${labelText(g.labels)}), ports ${g.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none declared'}`;
    }
    return name;
  };

  // Ingress sources, in every other namespace (and in this one when only some pods are isolated):
  // - every real identity: its own egress rules may let it out where a new pod could not go;
  // - a stand-in for "any pod": a new pod an intruder starts there;
  // - the labelled pods the namespace's own policies let in, when no such pod runs yet.
  const sourceNamespaces: NamespaceInfo[] = selecting ? [namespaces.get(ns)!, ...peers] : peers;
  const sources: string[] = [];
  const noStandIn: string[] = [];
  for (const peerNs of sourceNamespaces) {
    const real = allGroups.filter((g) => g.namespace === peerNs.name && !targets.includes(g));
    for (const g of real) sources.push(groupEndpoint(g));
    if (standInAddsNothing(o, ns, peerNs, real)) noStandIn.push(peerNs.name);
    else {
      const any = names.take(`${peerNs.name}.any-pod`);
      endpoints[any] = { namespace: peerNs.name, podSelector: { matchLabels: { [STAND_IN_LABEL]: STAND_IN_VALUE } }, synthetic: true };
      endpointComments[any] = `a stand-in for any pod of ${peerNs.name}: a label no policy selects`;
      sources.push(any);
    }
    for (const admitted of admittedLabelSets(o.policies ?? [], ns, peerNs)) {
      const matches = compileSelector({ matchLabels: admitted.labels });
      if (real.some((g) => matches(g.labels))) continue;
      const name = names.take(`${peerNs.name}.${Object.values(admitted.labels).join('-')}`);
      endpoints[name] = { namespace: peerNs.name, podSelector: { matchLabels: admitted.labels }, synthetic: true };
      endpointComments[name] = `a stand-in for the ${admitted.why}`;
      sources.push(name);
    }
  }

  const expectations: ExpectationYaml[] = [];
  targets.forEach((t, ti) => {
    const tName = targetNames[ti]!;
    if (t.ports.length === 0) notes.push(`${tName} declares no container port: ingress to it is not probed`);
    const protocols = byProtocol(t.ports);
    for (const s of sources) {
      for (const [protocol, ports] of protocols) {
        expectations.push({
          tags: ['isolation', 'ingress'],
          name: `in ${s} -> ${tName}${protocols.length > 1 ? ` ${protocol}` : ''}`,
          from: s,
          to: tName,
          ports,
          protocol,
          expect: 'deny',
        });
      }
    }
  });

  targets.forEach((_t, ti) => {
    const tName = targetNames[ti]!;
    for (const peerNs of peers) {
      const groups = allGroups.filter((g) => g.namespace === peerNs.name && g.ports.length > 0);
      for (const d of groups) {
        const dName = groupEndpoint(d);
        const protocols = byProtocol(d.ports);
        for (const [protocol, ports] of protocols) {
          expectations.push({
            tags: ['isolation', 'egress'],
            name: `out ${tName} -> ${dName}${protocols.length > 1 ? ` ${protocol}` : ''}`,
            from: tName,
            to: dName,
            ports,
            protocol,
            expect: 'deny',
          });
        }
      }
    }
    const dnsKept = keep.has('dns');
    expectations.push({
      tags: ['isolation', 'egress', 'dns'],
      comment: dnsKept ? ['kept open by the runbook (--keep dns)'] : ['a denied DNS query is proven only when another probe of the run got an answer from the same DNS pod'],
      name: `out ${tName} -> cluster DNS`,
      from: tName,
      protocol: 'DNS',
      expect: dnsKept ? 'allow' : 'deny',
      ...(dnsKept ? { attempts: 2 } : {}),
    });
    for (const api of o.kubeApi ?? []) {
      const kept = keep.has('kube-api');
      expectations.push({
        tags: ['isolation', 'egress', 'kube-api'],
        ...(kept ? { comment: ['kept open by the runbook (--keep kube-api)'] } : {}),
        name: `out ${tName} -> kubernetes API ${hostPortText(api)}`,
        from: tName,
        to: { host: api.host },
        ports: [api.port],
        protocol: api.protocol,
        expect: kept ? 'allow' : 'deny',
        ...(kept ? { attempts: 2 } : {}),
      });
    }
    const externals = [...(o.external ?? [])];
    for (const k of keptHosts) if (!externals.some((e) => hostPortText(e) === k)) externals.push(parseHostPort(k));
    for (const ext of externals) {
      const kept = keptHosts.has(hostPortText(ext));
      expectations.push({
        tags: ['isolation', 'egress', 'external'],
        ...(kept ? { comment: [`kept open by the runbook (--keep ${hostPortText(ext)})`] } : {}),
        name: `out ${tName} -> ${hostPortText(ext)}`,
        from: tName,
        to: { host: ext.host },
        ports: [ext.port],
        protocol: ext.protocol,
        expect: kept ? 'allow' : 'deny',
        ...(kept ? { attempts: 2 } : {}),
      });
    }
  });

  if (!keep.has('dns')) {
    const policies = o.policies;
    const control = o.dnsControlNamespace ?? (policies === undefined ? undefined : peers.find((n) => !policies.some((p) => p.metadata.namespace === n.name))?.name);
    const inControl = (s: string): boolean => endpoints[s]?.['namespace'] === control;
    const from = control === undefined ? undefined : (sources.find((s) => inControl(s) && s.endsWith('.any-pod')) ?? sources.find(inControl));
    if (from === undefined) {
      notes.push('cluster DNS is not kept and no control vantage is known (a namespace without NetworkPolicies): a denied DNS query may stay inconclusive');
    } else {
      expectations.push({
        tags: ['isolation', 'control'],
        comment: [`control: ${control} has no NetworkPolicy; its answer shows the DNS pods alive, so a denied query above is proof`],
        name: `control: cluster DNS answers ${from}`,
        from,
        protocol: 'DNS',
        expect: 'allow',
        attempts: 2,
      });
    }
  }

  const what = selecting ? `pods ${labelText(selector)} of namespace ${ns}` : `namespace ${ns}`;
  const kept = [...keep].join(', ') || 'nothing';
  const yaml = renderSuite({
    name: o.name ?? `isolation-${ns}`.slice(0, 63).replace(/-+$/, ''),
    description: `Emergency isolation of ${what}: nothing gets in, nothing gets out except ${kept}.`,
    header: [
      `Written by netprobe isolation ${ns}${selecting ? ` --selector ${labelText(selector)}` : ''}${keep.size > 0 ? ` --keep ${[...keep].join(',')}` : ''}.`,
      `Re-run it with: netprobe run THIS-FILE`,
      `Ingress: from every pod identity of ${sourceNamespaces.map((n) => n.name).join(', ') || 'no other namespace'} and a stand-in for any pod there, to every isolated pod on every declared port.`,
      `Egress: from every isolated pod to the pods of ${peers.map((n) => n.name).join(', ') || 'no other namespace'} on their declared ports,`,
      `cluster DNS${(o.kubeApi ?? []).length > 0 ? ', the Kubernetes API' : ''}${(o.external ?? []).length > 0 || keptHosts.size > 0 ? ' and the given external addresses' : ''}. Kept open: ${kept}.`,
      'A deny passes only when its target is shown alive (a readiness probe on the port, a control probe,',
      'or another probe of the run that connected to it): a dead target is inconclusive, never a pass.',
      ...(noStandIn.length > 0
        ? [`No "any pod" stand-in in ${noStandIn.join(', ')}: no NetworkPolicy there, and every rule that would let a new pod in lets its pods in.`]
        : []),
    ],
    defaults: { timeoutSeconds: o.timeoutSeconds ?? 2, attempts: 1 },
    endpoints,
    endpointComments,
    expectations,
  });
  return { yaml, notes, counts: { targets: targets.length, sources: sources.length, expectations: expectations.length } };
}
