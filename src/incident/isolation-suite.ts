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

const isKeepWord = (k: string): boolean => (KEEP_WORDS as readonly string[]).includes(k);

function podsText(g: PodGroup): string {
  return `${g.pods.length} pod${g.pods.length === 1 ? '' : 's'} (${labelText(g.labels)}), ports ${g.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none declared'}`;
}

/** Builds the isolation suite: endpoints first (isolated pods, then sources), then the expectations. */
class IsolationBuilder {
  readonly notes: string[] = [];
  readonly expectations: ExpectationYaml[] = [];
  readonly endpoints: Record<string, PeerYaml> = {};
  readonly endpointComments: Record<string, string> = {};
  /** Ingress sources, by endpoint name. */
  readonly sources: string[] = [];
  /** Namespaces where an "any pod" stand-in would repeat what the real pods show. */
  readonly noStandIn: string[] = [];
  readonly ns: string;
  readonly selector: Record<string, string>;
  readonly selecting: boolean;
  readonly keep: Set<string>;
  readonly keptHosts: Set<string>;
  readonly peers: NamespaceInfo[];
  readonly sourceNamespaces: NamespaceInfo[];
  readonly targets: PodGroup[];
  private readonly names = new EndpointNames();
  private readonly groupNames = new Map<PodGroup, string>();
  private readonly allGroups: PodGroup[];
  private readonly o: IsolationOptions;

  constructor(snapshot: ClusterSnapshot, o: IsolationOptions) {
    this.o = o;
    this.ns = o.namespace;
    const namespaces = new Map(snapshot.namespaces.map((n) => [n.name, n]));
    if (!namespaces.has(this.ns)) throw new IsolationInputError(`namespace ${this.ns} does not exist`);
    this.selector = o.selector ?? {};
    this.selecting = Object.keys(this.selector).length > 0;
    this.keep = new Set(o.keep ?? []);
    for (const k of this.keep) if (!isKeepWord(k)) parseHostPort(k);
    this.keptHosts = new Set([...this.keep].filter((k) => !isKeepWord(k)).map((k) => hostPortText(parseHostPort(k))));
    this.peers = this.peerNamespaces(namespaces);
    this.sourceNamespaces = this.selecting ? [namespaces.get(this.ns)!, ...this.peers] : this.peers;
    this.allGroups = podGroups(snapshot.pods);
    const matches = compileSelector({ matchLabels: this.selector });
    this.targets = this.allGroups.filter((g) => g.namespace === this.ns && matches(g.labels));
    if (this.targets.length === 0) {
      const why = this.selecting ? `no Running and Ready pod in ${this.ns} matches ${labelText(this.selector)}` : noServingPods(snapshot.pods, [this.ns]);
      throw new NothingToProbeError(`${why}: nothing to isolate`);
    }
  }

  private peerNamespaces(namespaces: Map<string, NamespaceInfo>): NamespaceInfo[] {
    const names = this.o.fromNamespaces !== undefined ? [...this.o.fromNamespaces] : [...namespaces.keys()].filter((n) => n !== this.ns && !SYSTEM_NAMESPACES.includes(n)).sort();
    return names.map((n) => {
      const info = namespaces.get(n);
      if (info === undefined) throw new IsolationInputError(`namespace ${n} (in --from-namespaces) does not exist`);
      if (n === this.ns) throw new IsolationInputError(`--from-namespaces: ${n} is the isolated namespace itself`);
      return info;
    });
  }

  /** The isolated identities' endpoint names, in the order of `targets`. */
  targetEndpoints(): string[] {
    const nsGroups = this.allGroups.filter((g) => g.namespace === this.ns);
    return this.targets.map((g) => {
      const name = this.names.take(groupName(g));
      this.endpoints[name] = { namespace: this.ns, podSelector: exactSelector(g, nsGroups) };
      this.endpointComments[name] = `isolated: ${podsText(g)}`;
      return name;
    });
  }

  /** Other pods get one endpoint each, shared by ingress (as sources) and egress (as destinations). */
  private groupEndpoint(g: PodGroup): string {
    let name = this.groupNames.get(g);
    if (name === undefined) {
      name = this.names.take(groupName(g));
      this.groupNames.set(g, name);
      this.endpoints[name] = { namespace: g.namespace, podSelector: exactSelector(g, this.allGroups) };
      this.endpointComments[name] = podsText(g);
    }
    return name;
  }

  private standIn(name: string, namespace: string, labels: Record<string, string>, comment: string): string {
    const taken = this.names.take(name);
    this.endpoints[taken] = { namespace, podSelector: { matchLabels: labels }, synthetic: true };
    this.endpointComments[taken] = comment;
    return taken;
  }

  /**
   * Ingress sources, in every other namespace (and in this one when only some pods are isolated):
   * every real identity (its own egress rules may let it out where a new pod could not go); a stand-in
   * for "any pod" (a new pod an intruder starts there); the labelled pods the namespace's own policies
   * let in, when no such pod runs yet.
   */
  addSources(): void {
    for (const peerNs of this.sourceNamespaces) {
      const real = this.allGroups.filter((g) => g.namespace === peerNs.name && !this.targets.includes(g));
      for (const g of real) this.sources.push(this.groupEndpoint(g));
      if (standInAddsNothing(this.o, this.ns, peerNs, real)) this.noStandIn.push(peerNs.name);
      else this.sources.push(this.standIn(`${peerNs.name}.any-pod`, peerNs.name, { [STAND_IN_LABEL]: STAND_IN_VALUE }, `a stand-in for any pod of ${peerNs.name}: a label no policy selects`));
      for (const admitted of admittedLabelSets(this.o.policies ?? [], this.ns, peerNs)) {
        const matches = compileSelector({ matchLabels: admitted.labels });
        if (real.some((g) => matches(g.labels))) continue;
        this.sources.push(this.standIn(`${peerNs.name}.${Object.values(admitted.labels).join('-')}`, peerNs.name, admitted.labels, `a stand-in for the ${admitted.why}`));
      }
    }
  }

  /** One deny per protocol of `ports`. */
  private denyPorts(direction: 'ingress' | 'egress', from: string, to: string, ports: PodGroup['ports']): void {
    const protocols = byProtocol(ports);
    for (const [protocol, list] of protocols) {
      const arrow = direction === 'ingress' ? 'in' : 'out';
      this.expectations.push({ tags: ['isolation', direction], name: `${arrow} ${from} -> ${to}${protocols.length > 1 ? ` ${protocol}` : ''}`, from, to, ports: list, protocol, expect: 'deny' });
    }
  }

  ingress(target: PodGroup, name: string): void {
    if (target.ports.length === 0) this.notes.push(`${name} declares no container port: ingress to it is not probed`);
    for (const s of this.sources) this.denyPorts('ingress', s, name, target.ports);
  }

  egress(name: string): void {
    for (const peerNs of this.peers) {
      for (const d of this.allGroups.filter((g) => g.namespace === peerNs.name && g.ports.length > 0)) this.denyPorts('egress', name, this.groupEndpoint(d), d.ports);
    }
    const dnsKept = this.keep.has('dns');
    this.expectations.push({
      tags: ['isolation', 'egress', 'dns'],
      comment: dnsKept ? ['kept open by the runbook (--keep dns)'] : ['a denied DNS query is proven only when another probe of the run got an answer from the same DNS pod'],
      name: `out ${name} -> cluster DNS`,
      from: name,
      protocol: 'DNS',
      expect: dnsKept ? 'allow' : 'deny',
      ...(dnsKept ? { attempts: 2 } : {}),
    });
    for (const api of this.o.kubeApi ?? []) this.egressToHost(name, api, `kubernetes API ${hostPortText(api)}`, 'kube-api', this.keep.has('kube-api') ? 'kube-api' : undefined);
    const externals = [...(this.o.external ?? [])];
    for (const k of this.keptHosts) if (!externals.some((e) => hostPortText(e) === k)) externals.push(parseHostPort(k));
    for (const ext of externals) this.egressToHost(name, ext, hostPortText(ext), 'external', this.keptHosts.has(hostPortText(ext)) ? hostPortText(ext) : undefined);
  }

  /** An egress expectation to an address: allowed when the runbook keeps it (`keptAs`), else denied. */
  private egressToHost(from: string, h: HostPort, what: string, tag: string, keptAs: string | undefined): void {
    const kept = keptAs !== undefined;
    this.expectations.push({
      tags: ['isolation', 'egress', tag],
      ...(kept ? { comment: [`kept open by the runbook (--keep ${keptAs})`] } : {}),
      name: `out ${from} -> ${what}`,
      from,
      to: { host: h.host },
      ports: [h.port],
      protocol: h.protocol,
      expect: kept ? 'allow' : 'deny',
      ...(kept ? { attempts: 2 } : {}),
    });
  }

  /** When DNS is not kept: a query from a namespace without policies shows the DNS pods alive. */
  dnsControl(): void {
    if (this.keep.has('dns')) return;
    const policies = this.o.policies;
    const control = this.o.dnsControlNamespace ?? (policies === undefined ? undefined : this.peers.find((n) => !policies.some((p) => p.metadata.namespace === n.name))?.name);
    const inControl = (s: string): boolean => this.endpoints[s]?.['namespace'] === control;
    const from = control === undefined ? undefined : (this.sources.find((s) => inControl(s) && s.endsWith('.any-pod')) ?? this.sources.find(inControl));
    if (from === undefined) {
      this.notes.push('cluster DNS is not kept and no control vantage is known (a namespace without NetworkPolicies): a denied DNS query may stay inconclusive');
      return;
    }
    this.expectations.push({
      tags: ['isolation', 'control'],
      comment: [`control: ${control} has no NetworkPolicy; its answer shows the DNS pods alive, so a denied query above is proof`],
      name: `control: cluster DNS answers ${from}`,
      from,
      protocol: 'DNS',
      expect: 'allow',
      attempts: 2,
    });
  }

  render(): string {
    const { ns, o, keep, selecting, selector } = this;
    const what = selecting ? `pods ${labelText(selector)} of namespace ${ns}` : `namespace ${ns}`;
    const kept = [...keep].join(', ') || 'nothing';
    return renderSuite({
      name: o.name ?? `isolation-${ns}`.slice(0, 63).replace(/-+$/, ''),
      description: `Emergency isolation of ${what}: nothing gets in, nothing gets out except ${kept}.`,
      header: [
        `Written by netprobe isolation ${ns}${selecting ? ` --selector ${labelText(selector)}` : ''}${keep.size > 0 ? ` --keep ${[...keep].join(',')}` : ''}.`,
        `Re-run it with: netprobe run THIS-FILE`,
        `Ingress: from every pod identity of ${this.sourceNamespaces.map((n) => n.name).join(', ') || 'no other namespace'} and a stand-in for any pod there, to every isolated pod on every declared port.`,
        `Egress: from every isolated pod to the pods of ${this.peers.map((n) => n.name).join(', ') || 'no other namespace'} on their declared ports,`,
        `cluster DNS${(o.kubeApi ?? []).length > 0 ? ', the Kubernetes API' : ''}${(o.external ?? []).length > 0 || this.keptHosts.size > 0 ? ' and the given external addresses' : ''}. Kept open: ${kept}.`,
        'A deny passes only when its target is shown alive (a readiness probe on the port, a control probe,',
        'or another probe of the run that connected to it): a dead target is inconclusive, never a pass.',
        ...(this.noStandIn.length > 0
          ? [`No "any pod" stand-in in ${this.noStandIn.join(', ')}: no NetworkPolicy there, and every rule that would let a new pod in lets its pods in.`]
          : []),
      ],
      defaults: { timeoutSeconds: o.timeoutSeconds ?? 2, attempts: 1 },
      endpoints: this.endpoints,
      endpointComments: this.endpointComments,
      expectations: this.expectations,
    });
  }
}

export function isolationSuite(snapshot: ClusterSnapshot, o: IsolationOptions): IsolationSuite {
  const b = new IsolationBuilder(snapshot, o);
  const targetNames = b.targetEndpoints();
  b.addSources();
  b.targets.forEach((t, i) => b.ingress(t, targetNames[i]!));
  for (const name of targetNames) b.egress(name);
  b.dnsControl();
  const yaml = b.render();
  return { yaml, notes: b.notes, counts: { targets: b.targets.length, sources: b.sources.length, expectations: b.expectations.length } };
}
