// The wire format between netprobe and netprobe-agent (probes/agent): a JSON batch in, one JSON line
// per probe out. See probes/README.md.
import type { PlannedProbe } from '../plan/types.ts';
import type { Outcome } from './types.ts';
import type { AnsweredBy, ProbeObservation } from './types.ts';

export interface AgentSpec {
  id: string;
  kind: string;
  host?: string;
  port?: number;
  timeoutMs: number;
  attempts: number;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  insecure?: boolean;
  name?: string;
  server?: string;
}

/** The agent's bounds (probes/agent/batch.go): one probe outside them makes it reject the whole batch. */
export const AGENT_MAX_TIMEOUT_MS = 120_000;
export const AGENT_MAX_ATTEMPTS = 20;
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** `serverIps` maps an echo server's key to its pod IP, known only once the pod is Ready. */
export function agentSpec(probe: PlannedProbe, serverIps: ReadonlyMap<string, string>): AgentSpec | string {
  const t = probe.target;
  const host = t.host ?? (t.serverKey ? serverIps.get(t.serverKey) : undefined);
  if (!host) return 'the echo server standing in for the destination did not start';
  const spec: AgentSpec = {
    id: probe.id,
    kind: t.kind,
    timeoutMs: clamp(probe.timeoutMs, 1, AGENT_MAX_TIMEOUT_MS),
    attempts: clamp(probe.attempts, 1, AGENT_MAX_ATTEMPTS),
  };
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${t.port}`;
  if (t.kind === 'http') {
    spec.url = `${t.scheme ?? 'http'}://${hostPort}${t.path ?? '/'}`;
    spec.method = t.method ?? 'GET';
    if (t.headers && Object.keys(t.headers).length > 0) spec.headers = t.headers;
    spec.insecure = true;
  } else if (t.kind === 'dns') {
    spec.name = t.dnsName ?? 'kubernetes.default.svc.cluster.local';
    spec.server = hostPort;
  } else {
    spec.host = host;
    if (t.port !== undefined) spec.port = t.port;
  }
  return spec;
}

const OUTCOMES = new Set<Outcome>(['connected', 'refused', 'unreachable', 'timeout', 'dns-failure', 'http-status', 'error']);
const ANSWERED_BY = new Set<AnsweredBy>(['target', 'network', 'local']);
/** The agent's optional text fields that are copied as they are. */
const TEXT_FIELDS = ['icmp', 'icmpFrom', 'rcode', 'spoke'] as const;

/** Parses the agent's output; lines that are not results (or name unknown probes) are ignored. */
export function parseAgentOutput(stdout: string): ProbeObservation[] {
  const out: ProbeObservation[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof raw.id !== 'string' || typeof raw.outcome !== 'string') continue;
    const outcome = OUTCOMES.has(raw.outcome as Outcome) ? (raw.outcome as Outcome) : 'error';
    const obs: ProbeObservation = {
      probeId: raw.id,
      outcome,
      detail: typeof raw.detail === 'string' ? raw.detail : '',
      ms: typeof raw.ms === 'number' ? raw.ms : 0,
      attempts: Array.isArray(raw.attempts) ? raw.attempts.length : 1,
    };
    if (typeof raw.httpStatus === 'number' && raw.httpStatus > 0) obs.httpStatus = raw.httpStatus;
    if (Array.isArray(raw.addresses)) obs.addresses = raw.addresses.filter((a): a is string => typeof a === 'string');
    if (typeof raw.remote === 'string' && raw.remote !== '') obs.remote = remoteHost(raw.remote);
    if (ANSWERED_BY.has(raw.answeredBy as AnsweredBy)) obs.answeredBy = raw.answeredBy as AnsweredBy;
    for (const f of TEXT_FIELDS) {
      const value = raw[f];
      if (typeof value === 'string' && value !== '') obs[f] = value;
    }
    out.push(obs);
  }
  return out;
}

/** `10.0.0.1:80` or `[fd00::1]:80` -> the address alone. */
function remoteHost(remote: string): string {
  const m = /^\[(.*)\]:\d+$/.exec(remote) ?? /^([^:]*):\d+$/.exec(remote);
  return m ? m[1]! : remote;
}
