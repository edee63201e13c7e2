// The fields of a Result that come from the case alone (what was expected, between whom, where it is
// written), shared by the judge (observed results) and the policy engine (predicted results).
import { portText } from '../suite/normalize.ts';
import type { Case } from '../suite/model.ts';
import type { Result } from './model.ts';

export type ResultBase = Pick<
  Result,
  'name' | 'expectation' | 'suite' | 'location' | 'source' | 'destination' | 'port' | 'protocol' | 'expect' | 'tags'
>;

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
  };
}
