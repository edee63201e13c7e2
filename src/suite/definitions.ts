// The expectation language, described once. The validator (validate.ts) walks YAML against these
// definitions and the JSON Schema (scripts/gen-schema.ts -> schema/connectivitysuite.schema.json) is
// generated from them, so the two cannot drift. Rules a JSON Schema cannot state (endpoint references,
// protocol/peer combinations, duplicate names) live in normalize.ts and are listed in docs/language.md.
import { PATTERNS, checkCidr, checkHeaderValue, checkHost, checkLabelKey, checkLabelValue, checkPortString, checkUrl } from './syntax.ts';

export const API_VERSION = 'netprobe.dev/v1alpha1';
export const KIND = 'ConnectivitySuite';
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'HTTP', 'HTTPS', 'DNS'] as const;
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'] as const;
export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const PEER_KEYS = ['podSelector', 'workload', 'service', 'host', 'cidr', 'url'] as const;
export type PeerKey = (typeof PEER_KEYS)[number];

export const DEFAULTS = {
  timeoutSeconds: 2,
  attempts: 2,
  protocol: 'TCP',
  httpMethod: 'GET',
  httpPath: '/',
  dnsPort: 53,
  httpPort: 80,
  httpsPort: 443,
  dnsName: 'kubernetes.default.svc.cluster.local',
} as const;

/** Cluster DNS, the server a `protocol: DNS` expectation asks when it has no `to`. */
export const CLUSTER_DNS = { namespace: 'kube-system', name: 'kube-dns' } as const;

/** Semantic string checks beyond a pattern. Each returns a message or undefined. */
export type StringCheck = (value: string) => string | undefined;

export interface Common {
  /** Shown in editors (schema `description`) and in docs. */
  description?: string;
  /** What a value must be, in words, for error messages: "a port number 1-65535". */
  expected?: string;
}

export interface StringDef extends Common {
  type: 'string';
  enum?: readonly string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  check?: StringCheck;
  default?: string;
  /** Never shown in messages (header values are often credentials); checks must not quote it either. */
  secret?: boolean;
}

export interface NumberDef extends Common {
  type: 'integer' | 'number';
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: number;
}

export interface ObjectDef extends Common {
  type: 'object';
  /** The name used in messages: "unknown key `x` in <noun>". */
  noun: string;
  properties: Readonly<Record<string, Def>>;
  required?: readonly string[];
  /** Keys that may not appear together (e.g. `port` and `ports`). */
  exclusive?: readonly (readonly [string, string])[];
  /** In a union of objects, the key whose presence selects this variant. */
  tag?: string;
  rules?: readonly KeyRule[];
}

/** A mapping with free keys (labels, headers, endpoints). */
export interface MapDef extends Common {
  type: 'map';
  noun: string;
  keys: StringDef;
  values: Def;
  minProperties?: number;
}

export interface ArrayDef extends Common {
  type: 'array';
  items: Def;
  minItems?: number;
  uniqueItems?: boolean;
}

/**
 * One of several shapes. Variants are told apart by YAML type (string, number, mapping, list);
 * object variants are told apart by their `tag` key.
 */
export interface UnionDef extends Common {
  type: 'union';
  variants: readonly Def[];
}

export interface RefDef {
  type: 'ref';
  ref: DefName;
}

export type DefName =
  | 'Suite'
  | 'Metadata'
  | 'Spec'
  | 'Defaults'
  | 'Expectation'
  | 'HttpCheck'
  | 'PeerList'
  | 'EndpointName'
  | 'Peer'
  | 'LabelSelector'
  | 'LabelSelectorRequirement';

/**
 * A rule between keys of one object: when `key` has one of `values` (or, with `otherwise`, when it has
 * none of them or is absent), `require` must be present (and non-empty) or `forbid` must be absent.
 */
export interface KeyRule {
  key: string;
  values: readonly string[];
  otherwise?: boolean;
  require?: string;
  forbid?: string;
}

export interface BooleanDef extends Common {
  type: 'boolean';
  default?: boolean;
}

export type Def = StringDef | NumberDef | BooleanDef | ObjectDef | MapDef | ArrayDef | UnionDef | RefDef;

// ---- building blocks -------------------------------------------------------------------------------

const dns1123Label = (what: string, description?: string): StringDef => ({
  type: 'string',
  pattern: PATTERNS.dns1123Label,
  maxLength: 63,
  expected: `a ${what} (lowercase letters, digits and \`-\`, at most 63, starting and ending with a letter or digit)`,
  ...(description ? { description } : {}),
});

const dns1123Subdomain = (what: string, description?: string): StringDef => ({
  type: 'string',
  pattern: PATTERNS.dns1123Subdomain,
  maxLength: 253,
  expected: `a ${what} (lowercase letters, digits, \`-\` and \`.\`, at most 253)`,
  ...(description ? { description } : {}),
});

const portNumber: NumberDef = {
  type: 'integer',
  minimum: 1,
  maximum: 65535,
  expected: 'a port number 1-65535',
  description: 'A port number.',
};

const portString: StringDef = {
  type: 'string',
  pattern: PATTERNS.portString,
  maxLength: 15,
  check: checkPortString,
  expected: 'a named port or a range like 8000-8080',
  description: 'A named port (as in the pod or Service spec) or an inclusive range `low-high`.',
};

const port: UnionDef = {
  type: 'union',
  variants: [portNumber, portString],
  expected: 'a port number 1-65535, a named port, or a range like 8000-8080',
  description: 'The destination port: a number, a named port, or a range like `8000-8080`.',
};

const labelKey: StringDef = {
  type: 'string',
  pattern: PATTERNS.labelKey,
  maxLength: 317,
  check: checkLabelKey,
  expected: 'a label key like app or example.com/tier',
};

const labelValue: StringDef = {
  type: 'string',
  pattern: PATTERNS.labelValue,
  maxLength: 63,
  check: checkLabelValue,
  expected: 'a label value (at most 63 letters, digits, `-`, `_` or `.`)',
};

const ephemeralProp = {
  type: 'boolean',
  default: false,
  description:
    'As a source: probe from inside one running pod of this peer, through an ephemeral container, instead of from a probe pod carrying its labels. The API cannot remove an ephemeral container: it stays (stopped) in that pod\'s spec until the pod is replaced.',
} as const;

const namespaceProp = {
  ...dns1123Label('namespace name'),
  description: 'The namespace. Defaults to `spec.defaults.namespace`.',
};

const httpCheckProperties: Record<string, Def> = {
  method: {
    type: 'string',
    enum: HTTP_METHODS,
    default: DEFAULTS.httpMethod,
    description: 'The HTTP method. Default GET.',
  },
  path: {
    type: 'string',
    pattern: PATTERNS.httpPath,
    expected: 'a path starting with `/`',
    description: 'The request path (with query). Default `/`.',
  },
  headers: {
    type: 'map',
    noun: 'headers',
    keys: { type: 'string', pattern: PATTERNS.headerName, expected: 'an HTTP header name' },
    values: { type: 'string', pattern: PATTERNS.headerValue, check: checkHeaderValue, secret: true, expected: 'a header value without control characters' },
    description: 'Request headers. Their values are sent as written and shown as `<redacted>` in reports.',
  },
  expectStatus: {
    type: 'integer',
    minimum: 100,
    maximum: 599,
    expected: 'an HTTP status 100-599',
    description: 'The status that proves the request was allowed. Absent: any HTTP response counts as allowed.',
  },
};

const timeoutSeconds: NumberDef = {
  type: 'number',
  exclusiveMinimum: 0,
  // The in-pod agent waits at most 120 s per attempt.
  maximum: 120,
  expected: 'a number of seconds greater than 0 and at most 120',
  description: 'How long one attempt may wait for an answer, in seconds (fractions allowed).',
};

const attempts: NumberDef = {
  type: 'integer',
  minimum: 1,
  maximum: 20,
  expected: 'a whole number 1-20',
  description: 'How many times to try before deciding.',
};

// ---- the named definitions (also the schema's `definitions`) ------------------------------------------

export const DEFINITIONS: Readonly<Record<DefName, Def>> = {
  Suite: {
    type: 'object',
    noun: 'suite',
    description: 'A netprobe connectivity suite: who may talk to whom, checked with real traffic.',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string', enum: [API_VERSION], description: 'Always `netprobe.dev/v1alpha1`.' },
      kind: { type: 'string', enum: [KIND], description: 'Always `ConnectivitySuite`.' },
      metadata: { type: 'ref', ref: 'Metadata' },
      spec: { type: 'ref', ref: 'Spec' },
    },
  },
  Metadata: {
    type: 'object',
    noun: 'metadata',
    required: ['name'],
    properties: {
      name: dns1123Subdomain('suite name', 'The suite name, shown in reports.'),
      description: { type: 'string', description: 'What this suite checks.' },
    },
  },
  Spec: {
    type: 'object',
    noun: 'spec',
    required: ['expectations'],
    properties: {
      defaults: { type: 'ref', ref: 'Defaults' },
      endpoints: {
        type: 'map',
        noun: 'endpoints',
        keys: {
          type: 'string',
          pattern: PATTERNS.endpointName,
          maxLength: 63,
          expected: 'an endpoint name (letters, digits, `-`, `_` or `.`)',
        },
        values: { type: 'ref', ref: 'Peer' },
        description: 'Named peers that expectations refer to by name in `from` and `to`.',
      },
      expectations: {
        type: 'array',
        items: { type: 'ref', ref: 'Expectation' },
        minItems: 1,
        expected: 'a list of expectations',
        description: 'What must and must not connect.',
      },
    },
  },
  Defaults: {
    type: 'object',
    noun: 'defaults',
    description: 'Values that apply to every expectation of the suite unless it sets its own.',
    properties: {
      timeoutSeconds: { ...timeoutSeconds, default: DEFAULTS.timeoutSeconds },
      attempts: { ...attempts, default: DEFAULTS.attempts },
      namespace: { ...dns1123Label('namespace name'), description: 'The namespace of peers that do not name one.' },
    },
  },
  Expectation: {
    type: 'object',
    noun: 'expectation',
    required: ['from', 'expect'],
    exclusive: [['port', 'ports']],
    rules: [
      { key: 'protocol', values: ['DNS'], otherwise: true, require: 'to' },
      { key: 'protocol', values: ['DNS'], otherwise: true, forbid: 'dnsName' },
      { key: 'protocol', values: ['HTTP', 'HTTPS'], otherwise: true, forbid: 'http' },
    ],
    properties: {
      name: {
        type: 'string',
        pattern: PATTERNS.expectationName,
        maxLength: 200,
        expected: 'a name without commas or line breaks (at most 200 characters)',
        description: 'Unique across a run. Absent: derived from expect, from, to, protocol and port.',
      },
      description: { type: 'string', description: 'Why this expectation exists.' },
      tags: {
        type: 'array',
        items: { type: 'string', pattern: PATTERNS.tag, expected: 'a tag (letters, digits, `-`, `_`, `.`, `:` or `/`)' },
        expected: 'a list of tags',
        description: 'Labels for `--only`.',
      },
      from: { type: 'ref', ref: 'PeerList' },
      to: { type: 'ref', ref: 'PeerList' },
      port,
      ports: {
        type: 'array',
        items: port,
        minItems: 1,
        expected: 'a list of ports',
        description: 'Several destination ports (numbers, names, ranges); each is checked.',
      },
      protocol: {
        type: 'string',
        enum: PROTOCOLS,
        default: DEFAULTS.protocol,
        description: 'TCP (default), UDP, SCTP, HTTP, HTTPS or DNS.',
      },
      expect: { type: 'string', enum: ['allow', 'deny'], description: 'allow: the connection must work; deny: it must be blocked.' },
      dnsName: {
        type: 'string',
        check: checkHost,
        expected: 'a DNS name to resolve',
        default: DEFAULTS.dnsName,
        description: 'With protocol DNS: the name to resolve. Default kubernetes.default.svc.cluster.local.',
      },
      http: { type: 'ref', ref: 'HttpCheck' },
      timeoutSeconds,
      attempts,
    },
  },
  HttpCheck: {
    type: 'object',
    noun: 'http check',
    description: 'The request to make for protocol HTTP/HTTPS to a pod, workload, Service or host.',
    properties: httpCheckProperties,
  },
  PeerList: {
    type: 'union',
    expected: 'an endpoint name, a peer, or a list of them',
    description: 'An endpoint name, an inline peer, or a list of them (every combination is checked).',
    variants: [
      { type: 'ref', ref: 'EndpointName' },
      { type: 'ref', ref: 'Peer' },
      {
        type: 'array',
        minItems: 1,
        items: {
          type: 'union',
          expected: 'an endpoint name or a peer',
          variants: [
            { type: 'ref', ref: 'EndpointName' },
            { type: 'ref', ref: 'Peer' },
          ],
        },
      },
    ],
  },
  EndpointName: {
    type: 'string',
    pattern: PATTERNS.endpointName,
    maxLength: 63,
    expected: 'an endpoint name',
    description: 'The name of an entry in `spec.endpoints`.',
  },
  Peer: {
    type: 'union',
    expected: `a peer with one of ${PEER_KEYS.map((k) => `\`${k}\``).join(', ')}`,
    description: 'One side of a connection.',
    variants: [
      {
        type: 'object',
        noun: 'pod peer',
        tag: 'podSelector',
        description: 'Pods in a namespace chosen by labels (and optionally a service account).',
        required: ['podSelector'],
        properties: {
          namespace: namespaceProp,
          podSelector: { type: 'ref', ref: 'LabelSelector' },
          serviceAccount: dns1123Subdomain('service account name', 'Only pods running as this service account.'),
          synthetic: {
            type: 'boolean',
            default: false,
            description: 'When no pod matches, let netprobe start a stand-in pod with labels that satisfy the selector (matchLabels, the first value of each In, "netprobe" for each Exists).',
          },
          ephemeral: ephemeralProp,
        },
      },
      {
        type: 'object',
        noun: 'workload peer',
        tag: 'workload',
        description: 'The pods of one workload.',
        required: ['workload'],
        properties: {
          namespace: namespaceProp,
          workload: {
            type: 'object',
            noun: 'workload',
            required: ['kind', 'name'],
            properties: {
              kind: { type: 'string', enum: WORKLOAD_KINDS, description: 'Deployment, StatefulSet, DaemonSet or Pod.' },
              name: dns1123Subdomain('workload name'),
            },
          },
          ephemeral: ephemeralProp,
        },
      },
      {
        type: 'object',
        noun: 'service peer',
        tag: 'service',
        description: 'A Service, probed through its ClusterIP (a destination only).',
        required: ['service'],
        properties: {
          namespace: namespaceProp,
          service: { ...dns1123Label('Service name'), pattern: PATTERNS.dns1035Label, description: 'The Service name.' },
        },
      },
      {
        type: 'object',
        noun: 'host peer',
        tag: 'host',
        description: 'A DNS name or IP address (a destination only).',
        required: ['host'],
        properties: {
          host: { type: 'string', check: checkHost, expected: 'a DNS name or an IP address', description: 'A DNS name or IP.' },
        },
      },
      {
        type: 'object',
        noun: 'cidr peer',
        tag: 'cidr',
        description: 'An address range (a destination only); the engine probes an address in it.',
        required: ['cidr'],
        properties: {
          cidr: { type: 'string', check: checkCidr, expected: 'a CIDR like 10.0.0.0/8', description: 'An IPv4 or IPv6 CIDR.' },
        },
      },
      {
        type: 'object',
        noun: 'url peer',
        tag: 'url',
        description: 'An HTTP(S) URL (a destination only; protocol HTTP or HTTPS, port from the URL).',
        required: ['url'],
        properties: {
          url: { type: 'string', check: checkUrl, expected: 'an http:// or https:// URL', description: 'The URL to request.' },
          ...httpCheckProperties,
        },
      },
    ],
  },
  LabelSelector: {
    type: 'object',
    noun: 'podSelector',
    description: 'A Kubernetes label selector; `{}` selects every pod in the namespace. All terms must match (AND).',
    properties: {
      matchLabels: {
        type: 'map',
        noun: 'matchLabels',
        keys: labelKey,
        values: labelValue,
        description: 'Labels every selected pod has.',
      },
      matchExpressions: {
        type: 'array',
        items: { type: 'ref', ref: 'LabelSelectorRequirement' },
        expected: 'a list of selector requirements',
      },
    },
  },
  LabelSelectorRequirement: {
    type: 'object',
    noun: 'matchExpressions entry',
    required: ['key', 'operator'],
    rules: [
      { key: 'operator', values: ['In', 'NotIn'], require: 'values' },
      { key: 'operator', values: ['Exists', 'DoesNotExist'], forbid: 'values' },
    ],
    properties: {
      key: labelKey,
      operator: { type: 'string', enum: SELECTOR_OPERATORS, description: 'In, NotIn, Exists or DoesNotExist.' },
      values: {
        type: 'array',
        items: labelValue,
        expected: 'a list of label values',
        description: 'Non-empty for In and NotIn; absent for Exists and DoesNotExist.',
      },
    },
  },
};

export function resolve(def: Def): Exclude<Def, RefDef> {
  let d: Def = def;
  while (d.type === 'ref') d = DEFINITIONS[d.ref];
  return d;
}
