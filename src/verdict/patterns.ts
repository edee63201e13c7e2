// Observed vs predicted, across a whole run: when probes and the policy engine disagree, the shape of the
// disagreement usually names its cause (a plugin that does not enforce NetworkPolicy at all, or only one
// direction, named ports, Service NAT, ipBlock `except`). Pure: results and evidence in, findings out.
import type { Finding, PatternName, Result } from './model.ts';

/** What the prediction of one case rests on (src/policy/predict.ts PredictionFacts). */
export interface PredictionEvidence {
  /** Denied combinations whose source egress denies, and whose destination ingress denies. */
  egressDenied: number;
  ingressDenied: number;
  namedPort: boolean;
  ipBlockExcept: boolean;
}

/** What the probes of one case saw per route (`pod`, `service`, ...), from src/verdict/judge.ts. */
export interface RouteEvidence {
  allowed: string[];
  denied: string[];
}

export interface CaseEvidence {
  prediction?: PredictionEvidence;
  routes?: RouteEvidence;
}

type Known = Result & { predicted: 'allowed' | 'denied'; observed: 'allowed' | 'denied' };

function known(r: Result): r is Known {
  return r.predicted !== undefined && (r.observed === 'allowed' || r.observed === 'denied');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Only the prediction of one direction denies this case. */
function deniedOnlyBy(e: PredictionEvidence | undefined, direction: 'ingress' | 'egress'): boolean {
  if (e === undefined) return false;
  return direction === 'ingress' ? e.ingressDenied > 0 && e.egressDenied === 0 : e.egressDenied > 0 && e.ingressDenied === 0;
}

function deniedBy(e: PredictionEvidence | undefined, direction: 'ingress' | 'egress'): boolean {
  if (e === undefined) return false;
  return direction === 'ingress' ? e.ingressDenied > 0 : e.egressDenied > 0;
}

/** What every pattern reads, and where it adds its finding. */
interface FindingContext {
  results: readonly Result[];
  evidence: ReadonlyMap<string, CaseEvidence>;
  ev(r: Result): PredictionEvidence | undefined;
  predictedDenied: Known[];
  leaked: Known[];
  dropped: Known[];
  /** The results no finding explains yet. */
  open(rs: readonly Known[]): Known[];
  add(pattern: PatternName, message: string, rs: readonly Result[]): void;
  findings: Finding[];
}

function findingContext(results: readonly Result[], evidence: ReadonlyMap<string, CaseEvidence>): FindingContext {
  const judged = results.filter(known);
  const predictedDenied = judged.filter((r) => r.predicted === 'denied');
  const explained = new Set<string>();
  const findings: Finding[] = [];
  return {
    results,
    evidence,
    ev: (r) => evidence.get(r.name)?.prediction,
    predictedDenied,
    leaked: predictedDenied.filter((r) => r.observed === 'allowed'),
    dropped: judged.filter((r) => r.predicted === 'allowed' && r.observed === 'denied'),
    open: (rs) => rs.filter((r) => !explained.has(r.name)),
    add: (pattern, message, rs) => {
      findings.push({ pattern, message, results: rs.map((r) => r.name) });
      for (const r of rs) explained.add(r.name);
    },
    findings,
  };
}

/** The plugin enforces nothing, or one direction only. */
function enforcementFindings(f: FindingContext): void {
  const { ev, leaked, predictedDenied, add } = f;
  // One leak alone says little about the plugin when a narrower pattern fits it.
  const narrower = (r: Result): boolean => ev(r)?.ipBlockExcept === true || ev(r)?.namedPort === true;
  if (leaked.length > 0 && leaked.length === predictedDenied.length && (leaked.length > 1 || !narrower(leaked[0]!))) {
    add(
      'not-enforcing',
      `every connection the policies deny was allowed (${leaked.length} of ${predictedDenied.length}): the network plugin is not ` +
        'enforcing NetworkPolicy (a CNI without a policy engine, such as Flannel alone) or the rules were not programmed yet ' +
        '(rerun with a longer --settle; `netprobe doctor` measures enforcement)',
      leaked,
    );
  } else {
    for (const [direction, other] of [['ingress', 'egress'], ['egress', 'ingress']] as const) {
      const only = predictedDenied.filter((r) => deniedOnlyBy(ev(r), direction) && f.open([r]).length > 0);
      const onlyLeaked = only.filter((r) => r.observed === 'allowed');
      const otherHeld = predictedDenied.filter((r) => deniedBy(ev(r), other) && r.observed === 'denied');
      if (onlyLeaked.length > 0 && onlyLeaked.length === only.length && otherHeld.length > 0) {
        add(
          `${direction}-not-enforced`,
          `connections only ${direction} rules deny were allowed (${onlyLeaked.length} of ${only.length}) while ${other} denies held ` +
            `(${otherHeld.length}): the network plugin does not enforce ${direction} NetworkPolicy (or not yet)`,
          onlyLeaked,
        );
      }
    }
  }
}

/** Leaks into an ipBlock `except`. */
function exceptFinding(f: FindingContext): void {
  const { ev, leaked, open, add } = f;
  const except = open(leaked).filter((r) => ev(r)?.ipBlockExcept === true);
  if (except.length > 0) {
    add(
      'ipblock-except',
      `${count(except.length, 'connection')} to addresses inside an ipBlock \`except\` got through: the network plugin does not honour ` +
        '`except` (it allows the whole cidr)',
      except,
    );
  }
}

/** Every disagreement involves a named port. */
function namedPortFinding(f: FindingContext): void {
  const { ev, leaked, dropped, open, add } = f;
  const disagreeing = open([...leaked, ...dropped]);
  const named = disagreeing.filter((r) => ev(r)?.namedPort === true);
  if (named.length > 0 && named.length === disagreeing.length) {
    add(
      'named-port',
      `every disagreement (${named.length}) involves a named port: the pods' container port names or numbers differ from what the ` +
        'policies assume, or the network plugin resolves named ports differently',
      named,
    );
  }
}

/** Allowed paths dropped while nothing denied got through. */
function extraFilteringFinding(f: FindingContext): void {
  const { leaked, dropped, open, add } = f;
  const drops = open(dropped);
  if (drops.length > 0 && drops.length === dropped.length && leaked.length === 0) {
    add(
      'extra-filtering',
      `${count(drops.length, 'connection')} the policies allow ${drops.length === 1 ? 'was' : 'were'} dropped and nothing they deny got ` +
        'through: something besides NetworkPolicy filters this traffic (an admin or plugin-specific policy, a host or cloud ' +
        'firewall), or the target does not listen where the policies expect',
      drops,
    );
  }
}

/** Disagreements no pattern explains. */
function unexplainedFinding(f: FindingContext): void {
  const { leaked, dropped, open, add } = f;
  const rest = open([...leaked, ...dropped]);
  if (rest.length > 0) {
    add(
      'unexplained',
      `${count(rest.length, 'result')} disagree${rest.length === 1 ? 's' : ''} with the policies without a common pattern: a policy or ` +
        'a label may have changed since the policies were read, or the plugin differs on these paths',
      rest,
    );
  }
}

/** The Service route and the pod route disagree. */
function serviceRouteFinding(f: FindingContext): void {
  const { results, evidence, add } = f;
  const split = results.filter((r) => {
    const routes = evidence.get(r.name)?.routes;
    return routes !== undefined && routes.allowed.length > 0 && routes.denied.length > 0;
  });
  if (split.length > 0) {
    const viaService = split.filter((r) => evidence.get(r.name)!.routes!.allowed.includes('service')).length;
    add(
      'service-route',
      `the Service route and the pod route disagree on ${count(split.length, 'path')} (${viaService} connected only through the ` +
        'Service): the plugin judges Service traffic before or without the address translation, or the Service port maps ' +
        'to another target port than the one probed',
      split,
    );
  }
}

/**
 * The run-level findings, most telling first. A result is explained by at most one prediction pattern;
 * disagreements no pattern explains are listed as `unexplained`. Route disagreements need no prediction.
 */
export function findPatterns(results: readonly Result[], evidence: ReadonlyMap<string, CaseEvidence> = new Map()): Finding[] {
  const f = findingContext(results, evidence);
  for (const pattern of [enforcementFindings, exceptFinding, namedPortFinding, extraFilteringFinding, unexplainedFinding, serviceRouteFinding]) pattern(f);
  return f.findings;
}

/** Findings as lines for a terminal (after the report); those kept for the record only are left to the reports. */
export function renderFindings(findings: readonly Finding[], limit = 5): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    if (f.quiet) continue;
    const shown = f.results.slice(0, limit).join(', ');
    const more = f.results.length > limit ? `, and ${f.results.length - limit} more` : '';
    lines.push(`finding (${f.pattern}): ${f.message}`, `  seen in: ${shown}${more}`);
  }
  return lines;
}
