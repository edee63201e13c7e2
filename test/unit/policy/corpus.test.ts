import { expect } from 'chai';
import { PolicyEngine } from '../../../src/policy/evaluate.ts';
import type { Endpoint } from '../../../src/policy/types.ts';
import { corpus, type CorpusCase } from './corpus.ts';
import { namespaces, pod, pods } from './world.ts';

function endpoint(ref: string): Endpoint {
  return ref.includes('/') ? pod(ref) : { ip: ref };
}

function verdictOf(c: CorpusCase) {
  const engine = new PolicyEngine({ policies: c.policies, namespaces, pods }, c.options);
  return engine.evaluate({
    source: endpoint(c.from),
    destination: endpoint(c.to),
    port: typeof c.port === 'number' ? c.port : { name: c.port },
    ...(c.protocol ? { protocol: c.protocol } : {}),
  });
}

const word = (b: boolean) => (b ? 'allow' : 'deny');

describe('policy corpus', () => {
  it('has at least 80 cases, each with a reason and a unique name', () => {
    expect(corpus.length).to.be.at.least(80);
    expect(new Set(corpus.map((c) => `${c.group}: ${c.name}`)).size).to.equal(corpus.length);
    for (const c of corpus) expect(c.reason.length, c.name).to.be.greaterThan(10);
  });

  for (const c of corpus) {
    const proto = c.protocol ?? 'TCP';
    it(`[${c.group}] ${c.name}: ${c.from} -> ${c.to} ${c.port}/${proto} ${c.expect} (${c.reason})`, () => {
      const v = verdictOf(c);
      expect(word(v.allowed), `verdict; egress: ${v.egress.reason}; ingress: ${v.ingress.reason}`).to.equal(c.expect);
      if (c.egress) expect(word(v.egress.allowed), `egress: ${v.egress.reason}`).to.equal(c.egress);
      if (c.ingress) expect(word(v.ingress.allowed), `ingress: ${v.ingress.reason}`).to.equal(c.ingress);
      if (c.deciding) expect([...v.policies].sort()).to.deep.equal([...c.deciding].sort());
    });
  }
});
