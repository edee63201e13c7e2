// The fields of a Result that come from the case alone (what was expected, between whom, where it is
// written), shared by the judge (observed results) and the policy engine (predicted results).
import { portText } from '../suite/normalize.ts';
import type { Case, Peer } from '../suite/model.ts';
import type { Result } from './model.ts';

export type ResultBase = Pick<
  Result,
  | 'name'
  | 'expectation'
  | 'suite'
  | 'location'
  | 'source'
  | 'destination'
  | 'port'
  | 'protocol'
  | 'expect'
  | 'tags'
  | 'sourceNamespace'
  | 'destinationNamespace'
>;

/** The namespace a peer lives in; none for hosts, CIDRs and URLs (outside the cluster). */
function namespaceOf(peer: Peer): string | undefined {
  return 'namespace' in peer ? peer.namespace : undefined;
}

export function resultBase(c: Case): ResultBase {
  const e = c.expectation;
  return {
    name: c.id,
    expectation: e.name,
    suite: e.suite,
    location: `${e.pos.file}:${e.pos.line}:${e.pos.col}`,
    source: c.from.label,
    destination: c.to.label,
    port: c.port ? portText(c.port) : '',
    protocol: e.protocol,
    expect: e.expect,
    tags: [...e.tags],
    // Endpoint labels (`web`) often omit the namespace; reports that group by namespace (html) need it.
    ...optional('sourceNamespace', namespaceOf(c.from.peer)),
    ...optional('destinationNamespace', namespaceOf(c.to.peer)),
  };
}

/** `{ key: value }`, or nothing when the value is undefined (absent, not `undefined`, in the JSON). */
function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
