import { expect } from 'chai';
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { networkPolicyManifest } from '../../../src/cluster/incident.ts';
import { parseManifests } from '../../../src/policy/manifests.ts';

describe('incident: NetworkPolicies read from the cluster', () => {
  it('keeps ingress peers (the client calls `from` `_from`), egress peers, ports and ipBlock except', () => {
    const p: V1NetworkPolicy = {
      metadata: { name: 'api-ingress', namespace: 'api', uid: 'x', creationTimestamp: new Date(0) },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ _from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'UDP', port: 53, endPort: 60 }] }, {}],
      },
    };
    const policies = parseManifests(JSON.stringify({ kind: 'List', items: [networkPolicyManifest(p)] })).policies;
    expect(policies).to.deep.equal([
      {
        metadata: { name: 'api-ingress', namespace: 'api' },
        spec: {
          podSelector: { matchLabels: { app: 'api' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'UDP', port: 53, endPort: 60 }] }, {}],
        },
      },
    ]);
  });
});
