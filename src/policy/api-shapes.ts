// The shapes of the policy objects as the API server reads them under kubectl's strict field validation:
// NetworkPolicy (networking.k8s.io/v1, built into the API server) and AdminNetworkPolicy /
// BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1, CRDs of kubernetes-sigs/network-policy-api,
// standard channel). Written in the suite validator's definition language (src/suite/definitions.ts), so an
// unknown field gets the same `did you mean` and every problem its file:line:col. Rules between fields that
// a shape cannot state (one peer kind per peer, endPort after port, except inside cidr) are in api-rules.ts.
import { DEFINITIONS, type ArrayDef, type Def, type MapDef, type NumberDef, type ObjectDef, type StringDef } from '../suite/definitions.ts';
import { PATTERNS } from '../suite/syntax.ts';

export const NETWORK_POLICY_API = 'networking.k8s.io/v1';
export const ADMIN_POLICY_API = 'policy.networking.k8s.io/v1alpha1';
export const POLICY_KINDS = ['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

// The API server's values are case-sensitive: `tcp` is rejected ("Unsupported value").
const protocol: StringDef = { type: 'string', enum: ['TCP', 'UDP', 'SCTP'] };

const selector = (noun: string): ObjectDef => ({ ...(DEFINITIONS.LabelSelector as ObjectDef), noun });

const subdomain = (what: string): StringDef => ({
  type: 'string',
  pattern: PATTERNS.dns1123Subdomain,
  maxLength: 253,
  expected: `a ${what} (lowercase letters, digits, \`-\` and \`.\`, at most 253)`,
});

const stringMap = (noun: string): Def => ({ type: 'map', noun, keys: { type: 'string' }, values: { type: 'string' } });

/**
 * ObjectMeta. Server-written fields a `kubectl get -o yaml` copy carries are known (so not "unknown");
 * managedFields and ownerReferences are dropped before the walk (strict.ts): their content is free-form here.
 */
function metadata(clusterScoped: boolean): ObjectDef {
  const free: StringDef = { type: 'string' };
  return {
    type: 'object',
    noun: 'metadata',
    required: ['name'],
    properties: {
      name: subdomain('policy name'),
      ...(clusterScoped
        ? {}
        : {
            namespace: {
              type: 'string',
              pattern: PATTERNS.dns1123Label,
              maxLength: 63,
              expected: 'a namespace name (lowercase letters, digits and `-`, at most 63)',
            },
          }),
      labels: { ...(selector('labels').properties['matchLabels'] as MapDef), noun: 'labels' },
      annotations: stringMap('annotations'),
      generateName: free,
      uid: free,
      resourceVersion: free,
      generation: { type: 'integer' },
      creationTimestamp: free,
      deletionTimestamp: free,
      deletionGracePeriodSeconds: { type: 'integer' },
      finalizers: { type: 'array', items: free },
      selfLink: free,
    },
  };
}

const port: NumberDef = { type: 'integer', expected: 'a port number 1-65535' };

const npPort: ObjectDef = {
  type: 'object',
  noun: 'NetworkPolicyPort',
  properties: {
    protocol,
    // Numbers and names; the ranges and the name syntax are checked in api-rules.ts with the API's words.
    port: { type: 'union', variants: [port, { type: 'string' }], expected: 'a port number or a named port' },
    endPort: port,
  },
};

const npPeer: ObjectDef = {
  type: 'object',
  noun: 'NetworkPolicyPeer',
  properties: {
    podSelector: selector('podSelector'),
    namespaceSelector: selector('namespaceSelector'),
    ipBlock: {
      type: 'object',
      noun: 'ipBlock',
      required: ['cidr'],
      properties: { cidr: { type: 'string' }, except: { type: 'array', items: { type: 'string' } } },
    },
  },
};

const npRule = (noun: string, peers: 'from' | 'to'): ObjectDef => ({
  type: 'object',
  noun,
  properties: { [peers]: { type: 'array', items: npPeer }, ports: { type: 'array', items: npPort } },
});

const document = (kind: PolicyKind, apiVersion: string, spec: ObjectDef, clusterScoped: boolean): ObjectDef => ({
  type: 'object',
  noun: kind,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string', enum: [apiVersion] },
    kind: { type: 'string', enum: [kind] },
    metadata: metadata(clusterScoped),
    spec,
  },
});

export const NETWORK_POLICY: ObjectDef = document(
  'NetworkPolicy',
  NETWORK_POLICY_API,
  {
    type: 'object',
    noun: 'NetworkPolicySpec',
    properties: {
      podSelector: selector('podSelector'),
      policyTypes: { type: 'array', items: { type: 'string', enum: ['Ingress', 'Egress'] } },
      ingress: { type: 'array', items: npRule('NetworkPolicyIngressRule', 'from') },
      egress: { type: 'array', items: npRule('NetworkPolicyEgressRule', 'to') },
    },
  },
  false,
);

// ---- AdminNetworkPolicy / BaselineAdminNetworkPolicy (the CRDs' OpenAPI schemas) -------------------------

const portNumber: NumberDef = { type: 'integer', minimum: 1, maximum: 65535, expected: 'a port number 1-65535' };

const adminPort: ObjectDef = {
  type: 'object',
  noun: 'AdminNetworkPolicyPort',
  properties: {
    portNumber: { type: 'object', noun: 'portNumber', required: ['port'], properties: { protocol, port: portNumber } },
    namedPort: { type: 'string' },
    portRange: { type: 'object', noun: 'portRange', required: ['start', 'end'], properties: { protocol, start: portNumber, end: portNumber } },
  },
};

const podsSelector: ObjectDef = {
  type: 'object',
  noun: 'pods',
  required: ['namespaceSelector', 'podSelector'],
  properties: { namespaceSelector: selector('namespaceSelector'), podSelector: selector('podSelector') },
};

const list = (items: Def, maxItems: number): ArrayDef => ({ type: 'array', items, minItems: 1, expected: `a list of at most ${maxItems}` });

function adminPeer(egress: boolean): ObjectDef {
  const properties: Record<string, Def> = { namespaces: selector('namespaces'), pods: podsSelector };
  if (egress) {
    properties['networks'] = list({ type: 'string' }, 25);
    properties['nodes'] = selector('nodes');
  }
  return { type: 'object', noun: egress ? 'AdminNetworkPolicyEgressPeer' : 'AdminNetworkPolicyIngressPeer', properties };
}

function adminRule(actions: readonly string[], peers: 'from' | 'to'): ObjectDef {
  return {
    type: 'object',
    noun: peers === 'from' ? 'ingress rule' : 'egress rule',
    required: ['action', peers],
    properties: {
      name: { type: 'string', maxLength: 100, expected: 'a rule name of at most 100 characters' },
      action: { type: 'string', enum: actions },
      [peers]: list(adminPeer(peers === 'to'), 100),
      ports: list(adminPort, 100),
    },
  };
}

function adminSpec(noun: string, actions: readonly string[], priority: boolean): ObjectDef {
  return {
    type: 'object',
    noun,
    required: priority ? ['priority', 'subject'] : ['subject'],
    properties: {
      ...(priority ? { priority: { type: 'integer', minimum: 0, maximum: 1000, expected: 'a priority 0-1000' } as NumberDef } : {}),
      subject: { type: 'object', noun: 'subject', properties: { namespaces: selector('namespaces'), pods: podsSelector } },
      ingress: { type: 'array', items: adminRule(actions, 'from') },
      egress: { type: 'array', items: adminRule(actions, 'to') },
    },
  };
}

export const ADMIN_NETWORK_POLICY: ObjectDef = document(
  'AdminNetworkPolicy',
  ADMIN_POLICY_API,
  adminSpec('AdminNetworkPolicySpec', ['Allow', 'Deny', 'Pass'], true),
  true,
);

export const BASELINE_ADMIN_NETWORK_POLICY: ObjectDef = document(
  'BaselineAdminNetworkPolicy',
  ADMIN_POLICY_API,
  adminSpec('BaselineAdminNetworkPolicySpec', ['Allow', 'Deny'], false),
  true,
);

export const SHAPES: Readonly<Record<PolicyKind, ObjectDef>> = {
  NetworkPolicy: NETWORK_POLICY,
  AdminNetworkPolicy: ADMIN_NETWORK_POLICY,
  BaselineAdminNetworkPolicy: BASELINE_ADMIN_NETWORK_POLICY,
};

export function isPolicyKind(kind: unknown): kind is PolicyKind {
  return typeof kind === 'string' && (POLICY_KINDS as readonly string[]).includes(kind);
}
