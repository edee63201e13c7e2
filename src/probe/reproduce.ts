// A command that shows by hand what a probe saw: a throwaway pod with the source's identity running
// the same check with curl, nc or nslookup from the probe image. Header values and query values are
// shown as `<redacted>` (the line lands in reports and CI logs); the person fills them in.
import type { PlannedProbe, SourceIdentity } from '../plan/types.ts';
import { redactedHeader, redactUrl } from '../util/redact.ts';

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function checkCommand(probe: PlannedProbe, host: string): string[] {
  const t = probe.target;
  const secs = String(Math.max(1, Math.ceil(probe.timeoutMs / 1000)));
  switch (t.kind) {
    case 'http': {
      const cmd = ['curl', '-sS', '-k', '-o', '/dev/null', '-w', '%{http_code}\\n', '--max-time', secs, '-X', t.method ?? 'GET'];
      for (const name of Object.keys(t.headers ?? {})) cmd.push('-H', redactedHeader(name));
      cmd.push(redactUrl(`${t.scheme ?? 'http'}://${host}:${t.port}${t.path ?? '/'}`));
      return cmd;
    }
    case 'dns':
      return ['nslookup', t.dnsName ?? 'kubernetes.default', `${host}`];
    case 'udp':
      return ['sh', '-c', `echo netprobe | nc -u -w ${secs} ${host} ${t.port}`];
    default:
      return ['nc', '-z', '-v', '-w', secs, host, String(t.port)];
  }
}

export function reproduceCommand(probe: PlannedProbe, source: SourceIdentity | undefined, image: string, serverIps: ReadonlyMap<string, string>): string {
  const host = probe.target.host ?? (probe.target.serverKey ? serverIps.get(probe.target.serverKey) : undefined) ?? '<server-ip>';
  if (!source) return checkCommand(probe, host).map(shellQuote).join(' ');
  if (source.inPod) {
    // From inside the same pod, as the run did (this adds one more ephemeral container to it).
    const parts = ['kubectl', 'debug', '-n', source.namespace, source.inPod, '-i', `--image=${image}`, '--profile=restricted', '--'];
    return [...parts, ...checkCommand(probe, host)].map(shellQuote).join(' ');
  }
  const labels = Object.entries(source.labels).map(([k, v]) => `${k}=${v}`).join(',');
  const overrides = JSON.stringify({
    spec: {
      serviceAccountName: source.serviceAccount,
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      // Container-level settings too, or a namespace enforcing Pod Security "restricted" rejects the pod.
      containers: [{ name: 'netprobe-repro', image, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    },
  });
  const parts = ['kubectl', 'run', 'netprobe-repro', '--rm', '-i', '--restart=Never', '-n', source.namespace, `--image=${image}`];
  if (labels) parts.push(`--labels=${labels}`);
  parts.push(`--overrides=${overrides}`, '--');
  return [...parts, ...checkCommand(probe, host)].map(shellQuote).join(' ');
}
