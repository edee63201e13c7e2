// `netprobe impact --write-suite`: the changed paths as expectations of their after-state, so that `run`
// before the rollout fails exactly where the change acts and passes after it. Pure: impact in, YAML out.
import type { ImpactEndpoint, ImpactPath, ImpactResult } from '../policy/impact.ts';
import { isPod } from '../policy/types.ts';
import { EndpointNames, exactSelector, groupName, renderSuite, type ExpectationYaml, type L4Name, type PeerYaml } from './common.ts';

export interface ImpactSuite {
  yaml: string;
  expectations: number;
  /** Paths a suite cannot state or prove (from an address outside; a deny to the API server's Service address). */
  skipped: string[];
}

class Endpoints {
  readonly endpoints: Record<string, PeerYaml> = {};
  #names = new EndpointNames();
  #byKey = new Map<string, string>();
  readonly workloads: readonly { namespace: string; labels: Record<string, string> }[];
  constructor(workloads: readonly { namespace: string; labels: Record<string, string> }[]) {
    this.workloads = workloads;
  }

  name(e: ImpactEndpoint): string | PeerYaml {
    if (!isPod(e.endpoint)) return e.kind === 'api-server' ? { host: e.endpoint.ip } : { cidr: e.label.split(' + ')[0]! };
    const known = this.#byKey.get(e.key);
    if (known !== undefined) return known;
    const pod = e.endpoint;
    const group = { namespace: pod.namespace, labels: { ...pod.labels } };
    const name = this.#names.take(groupName(group));
    const peer: PeerYaml = { namespace: pod.namespace, podSelector: exactSelector(group, this.workloads) };
    this.endpoints[name] = peer;
    this.#byKey.set(e.key, name);
    return name;
  }
}

function expectations(p: ImpactPath, table: Endpoints, change: string): ExpectationYaml[] {
  const protocols = [...new Set(p.ports.map((x) => x.protocol))];
  return protocols.map((protocol) => {
    const ports = p.ports.filter((x) => x.protocol === protocol).map((x) => x.port);
    const expect = p.change === 'newly-denied' ? 'deny' : 'allow';
    const to = table.name(p.to);
    return {
      comment: [`${expect === 'deny' ? 'newly denied (allowed now)' : 'newly allowed (denied now)'} by ${p.policies.join(', ') || 'the change'}; the change: ${change}`],
      // Names may not hold commas: ports are joined with spaces.
      name: `${p.change} ${p.from.label} -> ${p.to.label} ${ports.join(' ')}/${protocol}`.replace(/,/g, ' '),
      tags: ['impact', p.change],
      from: table.name(p.from),
      to,
      ports,
      protocol: protocol as L4Name,
      expect,
      ...(expect === 'allow' ? { attempts: 2 } : {}),
    };
  });
}

/** The after-state of every changed path a suite can state, named after the change. */
export function impactSuite(result: ImpactResult, change: string, name = 'impact'): ImpactSuite {
  const workloads = result.paths.flatMap((p) => [p.from, p.to]).flatMap((e) => (isPod(e.endpoint) ? [{ namespace: e.endpoint.namespace, labels: { ...e.endpoint.labels } }] : []));
  const table = new Endpoints(workloads);
  const skipped: string[] = [];
  const list: ExpectationYaml[] = [];
  for (const p of result.paths) {
    if (!isPod(p.from.endpoint)) {
      skipped.push(`${p.change} ${p.from.label} -> ${p.to.label}: the source is an address outside the cluster; no probe pod stands for it`);
      continue;
    }
    if (p.to.kind === 'api-server' && p.change === 'newly-denied') {
      // A deny proves only against a target shown alive, and no probe may vouch for a Service address.
      skipped.push(`${p.change} ${p.from.label} -> ${p.to.label}: a deny to the API server's Service address cannot be shown with traffic`);
      continue;
    }
    list.push(...expectations(p, table, change));
  }
  const yaml =
    list.length === 0
      ? ''
      : renderSuite({
          name,
          description: `The reachability ${change} changes, as it should be after the change.`,
          header: [
            `Written by netprobe impact for ${change}.`,
            'Each expectation is a path the change turns around, with its after-state as expect:',
            'run before the rollout, it fails exactly where the change acts; run after it, it passes.',
          ],
          defaults: { timeoutSeconds: 2, attempts: 1 },
          endpoints: table.endpoints,
          expectations: list,
        });
  return { yaml, expectations: list.length, skipped };
}
