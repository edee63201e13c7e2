// Expansion: an Expectation -> its Cases, one per from x to x port combination, in written order.
// Case ids are stable for the same input: the expectation name alone when there is one combination,
// else the name plus `[from -> to:port]`. Names are unique across a run, so ids are too.
import type { Case, Expectation, NamedPeer, PortRef, Suite } from './model.ts';
import { portText } from './normalize.ts';

export function caseId(e: Expectation, from: NamedPeer, to: NamedPeer, port: PortRef | undefined, single: boolean): string {
  if (single) return e.name;
  return `${e.name} [${from.label} -> ${to.label}${port ? `:${portText(port)}` : ''}]`;
}

export function expandExpectation(e: Expectation): Case[] {
  const ports: (PortRef | undefined)[] = e.ports.length > 0 ? e.ports : [undefined];
  const single = e.from.length * e.to.length * ports.length === 1;
  const cases: Case[] = [];
  for (const from of e.from) {
    for (const to of e.to) {
      for (const port of ports) {
        const c: Case = { id: caseId(e, from, to, port, single), expectation: e, from, to };
        if (port) c.port = port;
        cases.push(c);
      }
    }
  }
  return cases;
}

export function expandSuites(suites: readonly Suite[]): Case[] {
  return suites.flatMap((s) => s.expectations.flatMap(expandExpectation));
}

export { portText };
