// Issue 17 on the local cluster: the strict policy check agrees with the API server.
import { expect } from 'chai';
import { checkPolicyDocuments } from '../../src/policy/strict.ts';
import { manifestDocuments } from '../../src/policy/load-files.ts';
import { clusterEnv, kubectl } from './support.ts';

const NS = `impact-strict-${Date.now().toString(36)}`;

const np = (spec: string): string => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: ${NS}}\nspec:\n${spec}\n`;

/** One spec per line of the tables in docs/policy-checks.md, admitted and refused ones. */
const SPECS: readonly string[] = [
  '  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Ingress, Egress]',
  '  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: web}}, podSelector: {matchLabels: {app: web}}}]\n    ports: [{protocol: TCP, port: http}, {port: 8000, endPort: 8080}]',
  '  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}, {}]',
  '  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.1/8}}]}]',
  '  podSelector: {}\n  ingress:',
  '  podSelectr: {}',
  '  podSelector: {}\n  egres: []',
  '  podSelector: {}\n  egress: [{ports: [{protocol: tcp, port: 53}]}]',
  '  podSelector: {}\n  policyTypes: [egress]',
  '  podSelector: {}\n  policyTypes: [Ingress, Egress, Ingress]',
  '  podSelector: {matchExpressions: [{key: app, operator: in, values: [a]}]}',
  '  podSelector: {matchExpressions: [{key: app, operator: Exists, values: [a]}]}',
  '  podSelector: {}\n  egress: [{ports: [{port: http, endPort: 90}]}]',
  '  podSelector: {}\n  egress: [{ports: [{endPort: 90}]}]',
  '  podSelector: {}\n  egress: [{ports: [{port: 9000, endPort: 8000}]}]',
  '  podSelector: {}\n  egress: [{ports: [{port: 8000, endPort: 70000}]}]',
  '  podSelector: {}\n  egress: [{ports: [{port: 70000}]}]',
  '  podSelector: {}\n  egress: [{ports: [{port: "8080"}]}]',
  '  podSelector: {}\n  egress: [{ports: [{port: Web_1}]}]',
  '  podSelector: {}\n  egress: [{to: [{}]}]',
  '  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]',
  '  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 192.168.1.1}}]}]',
  '  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}]}]',
  '  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [11.0.0.0/24]}}]}]',
];

async function apiServerAdmits(text: string): Promise<boolean> {
  try {
    await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], text);
    return true;
  } catch {
    return false;
  }
}

describe('e2e: impact (issue 17)', function () {
  this.timeout(600_000);
  before(async function () {
    clusterEnv(this);
    await kubectl(['create', 'namespace', NS]);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']).catch(() => undefined);
  });

  it('the strict policy check refuses exactly what the API server refuses (server-side dry run, strict field validation)', async () => {
    const disagreements: string[] = [];
    let refused = 0;
    for (const spec of SPECS) {
      const text = np(spec);
      const ours = checkPolicyDocuments(manifestDocuments('np.yaml', text).documents);
      const admitted = await apiServerAdmits(text);
      if (!admitted) refused++;
      if (admitted !== (ours.length === 0)) disagreements.push(`${JSON.stringify(spec)}: API ${admitted ? 'admits' : 'refuses'}, netprobe ${ours.length === 0 ? 'admits' : ours.map((d) => d.message).join('; ')}`);
    }
    expect(disagreements).to.deep.equal([]);
    // The table must hold both kinds, or agreement proves nothing.
    expect(refused).to.be.within(10, SPECS.length - 3);
  });
});
