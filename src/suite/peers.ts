// Display forms of peers and selectors, shared by derived names, case ids and messages.
import type { Peer } from './model.ts';
import type { LabelSelector } from '../model/selectors.ts';

/** A selector in kubectl's syntax: `app=web,tier in (a,b),!legacy`; `*` for the empty selector. */
export function formatSelector(s: LabelSelector): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const r of s.matchExpressions ?? []) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${(r.values ?? []).join(',')})`);
  }
  return parts.length > 0 ? parts.join(',') : '*';
}

/** A short, stable, human description of a peer: `payments/app=web`, `payments/deployment/api`, ... */
export function peerLabel(p: Peer): string {
  switch (p.kind) {
    case 'pods':
      return `${p.namespace}/${formatSelector(p.podSelector)}${p.serviceAccount !== undefined ? ` (sa ${p.serviceAccount})` : ''}`;
    case 'workload':
      return `${p.namespace}/${p.workloadKind.toLowerCase()}/${p.name}`;
    case 'service':
      return `${p.namespace}/svc/${p.name}`;
    case 'host':
      return p.host;
    case 'cidr':
      return p.cidr;
    case 'url':
      return p.url;
  }
}
