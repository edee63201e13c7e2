// Label selector matching, as Kubernetes defines it: every matchLabels pair and every matchExpressions
// requirement must hold (AND). `{}` selects everything. Reused by the rest of netprobe to resolve pods.

export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

/** A Kubernetes label selector. An empty selector ({}) selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type LabelMatcher = (labels: Labels) => boolean;

function requirementMatcher(req: LabelSelectorRequirement): LabelMatcher {
  const { key } = req;
  const values = new Set(req.values ?? []);
  switch (req.operator) {
    case 'In':
      return (labels) => Object.hasOwn(labels, key) && values.has(labels[key]!);
    case 'NotIn':
      return (labels) => !Object.hasOwn(labels, key) || !values.has(labels[key]!);
    case 'Exists':
      return (labels) => Object.hasOwn(labels, key);
    case 'DoesNotExist':
      return (labels) => !Object.hasOwn(labels, key);
    default:
      throw new Error(`label selector: unknown operator ${JSON.stringify((req as { operator: unknown }).operator)}`);
  }
}

/** Compiles a selector once into a predicate; use it when one selector is matched against many label sets. */
export function compileSelector(selector: LabelSelector): LabelMatcher {
  const pairs = Object.entries(selector.matchLabels ?? {});
  const reqs = (selector.matchExpressions ?? []).map(requirementMatcher);
  if (pairs.length === 0 && reqs.length === 0) return () => true;
  return (labels) => {
    for (const [k, v] of pairs) if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
    for (const r of reqs) if (!r(labels)) return false;
    return true;
  };
}

/** Does `selector` select an object with these labels? */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  return compileSelector(selector)(labels);
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** The selector in kubectl's notation (`app=web,tier in (a,b),!debug`), `{}` when it selects everything. */
export function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    const vals = (r.values ?? []).join(',');
    if (r.operator === 'In') parts.push(`${r.key} in (${vals})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${vals})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else parts.push(`!${r.key}`);
  }
  return parts.length === 0 ? '{}' : parts.join(',');
}

/**
 * The labels a stand-in for `selector` carries (predict's stand-in pod, run's synthetic probe pod or echo
 * server): matchLabels, the first value of each In, `netprobe` for each Exists; undefined when no labels
 * can satisfy the selector.
 */
export function standInLabels(selector: LabelSelector): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...selector.matchLabels };
  for (const r of selector.matchExpressions ?? []) {
    if (r.operator === 'In' && !Object.hasOwn(labels, r.key) && r.values?.[0] !== undefined) labels[r.key] = r.values[0];
    if (r.operator === 'Exists' && !Object.hasOwn(labels, r.key)) labels[r.key] = 'netprobe';
  }
  return compileSelector(selector)(labels) ? labels : undefined;
}
