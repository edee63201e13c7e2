// Secrets stay secret, on the local cluster: a suite plants a random secret in HTTP headers and query
// strings; the probes must still send it (the target logs what it receives), and it must appear nowhere
// else: not in any report format, not in netprobe's stdout or stderr, not in the spec of any pod during
// the run (probe pod, or the real pod given an ephemeral container), and not on the command line of any
// process in the probe pods (the batch travels on the exec's stdin).
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '../../src/cluster/connect.ts';
import { execInPod } from '../../src/cluster/exec.ts';
import { parseAgentOutput } from '../../src/probe/agent.ts';
import { AGENT } from '../../src/probe/podspec.ts';
import type { Report } from '../../src/verdict/model.ts';
import { clusterEnv, kubectl, netprobe, startNetprobe, tempFile, waitUntil, type ClusterEnv } from './support.ts';

const SECRET = `SECRET-${randomBytes(8).toString('hex')}`;
const NS = `e2e-secrets-${randomBytes(3).toString('hex')}`;
const FORMATS = ['table', 'json', 'junit', 'tap', 'markdown'] as const;

// Each connection: log the request line and headers to stderr, wait 2 s (so the agent is alive to be
// looked at), answer 200. busybox nc -ll forks one handler per connection.
const HANDLER = `while read -r h; do h=\${h%$(printf '\\r')}; [ -z "$h" ] && break; echo "recv: $h" >&2; done; sleep 2; printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n'`;

/** A pod of the probe image in the test's namespace, running `command` (default: the agent's sleep). */
function fixturePod(env: ClusterEnv, name: string, command = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NS}, labels: {app: ${name}}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: ${name}
      image: ${env.probeImage}
      imagePullPolicy: IfNotPresent
      securityContext: {runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
${command}`;
}

function fixtures(env: ClusterEnv): string {
  const hang = `      command: [sh, -c, 'for p in 8080 8081 8082; do nc -ll -p $p -e sh -c "$HANDLER" & done; wait']
      env: [{name: HANDLER, value: ${JSON.stringify(HANDLER)}}]
`;
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`,
    fixturePod(env, 'hang', hang),
    `apiVersion: v1\nkind: Service\nmetadata: {name: hang, namespace: ${NS}}\nspec:\n  selector: {app: hang}\n  ports: [{port: 8082, targetPort: 8082}]\n`,
    fixturePod(env, 'client'),
  ].join('---\n');
}

const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: secrets}
spec:
  defaults: {namespace: ${NS}, timeoutSeconds: 8, attempts: 1}
  endpoints:
    client: {podSelector: {matchLabels: {app: client}}}
    inside: {podSelector: {matchLabels: {app: client}}, ephemeral: true}
    hang: {podSelector: {matchLabels: {app: hang}}}
  expectations:
    - name: header and query to a pod
      from: client
      to: hang
      port: 8080
      protocol: HTTP
      http: {path: "/p?token=${SECRET}", headers: {Authorization: "Bearer ${SECRET}"}}
      expect: allow
    - name: header and query to a url, wrong status
      from: client
      to: {url: "http://hang.${NS}.svc.cluster.local:8082/api?token=${SECRET}&page=2", headers: {Authorization: "Bearer ${SECRET}"}, expectStatus: 201}
      expect: allow
    - name: headers from inside the pod
      from: inside
      to: hang
      port: 8081
      protocol: HTTP
      http: {headers: {Authorization: "Bearer ${SECRET}", X-Api-Key: "${SECRET}"}}
      expect: allow
`;

interface AgentProcess {
  cmdline: string;
  hostname: string;
}

/** netprobe-agent processes on this node with their pod's hostname (the local cluster runs pods as host processes). */
function agentProcesses(): AgentProcess[] {
  const found: AgentProcess[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes('netprobe-agent')) continue;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      found.push({ cmdline, hostname: environ.find((e) => e.startsWith('HOSTNAME='))?.slice('HOSTNAME='.length) ?? '' });
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

describe('e2e: secrets stay secret', function () {
  let env: ClusterEnv;
  before(async function () {
    env = clusterEnv(this);
    await kubectl(['apply', '-f', '-'], fixtures(env));
    await kubectl(['wait', '--for=condition=Ready', 'pod', '--all', '-n', NS, '--timeout=120s']);
    // The URL goes through the new Service: wait until kube-proxy routes it, or the probe times out for
    // a reason this test is not about (seen once in CI: "broken" by a timeout, and no request logged).
    await waitUntil('the hang Service to route', async () => {
      // An empty request: the handler logs nothing for it, and answers after its 2 s.
      const reply = await kubectl(['exec', '-n', NS, 'client', '--', 'sh', '-c', `echo | nc -w 2 hang.${NS}.svc.cluster.local 8082`]).catch(() => '');
      return reply.includes('HTTP/1.1 200');
    }, 60_000);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']).catch(() => '');
  });

  it('the probes send the real headers, and no report, log, pod spec or agent command line holds them', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'netprobe-e2e-secrets-'));
    const run = startNetprobe(['run', tempFile('secrets.yaml', SUITE), ...FORMATS.flatMap((f) => ['-o', `${f}=${out}/report.${f}`])]);
    // While it runs: every pod spec in the namespace, and every agent process on the node.
    const specs: string[] = [];
    const processes: AgentProcess[] = [];
    let running = true;
    const watchSpecs = (async () => {
      while (running) specs.push(await kubectl(['get', 'pods', '-n', NS, '-o', 'yaml']).catch(() => ''));
    })();
    const watchProcesses = (async () => {
      while (running) {
        processes.push(...agentProcesses());
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const done = await run.done;
    running = false;
    await Promise.all([watchSpecs, watchProcesses]);

    const report = JSON.parse(readFileSync(`${out}/report.json`, 'utf8')) as Report;
    expect(Object.fromEntries(report.results.map((r) => [r.expectation, r.status])), done.stderr).to.deep.equal({
      'header and query to a pod': 'pass',
      'header and query to a url, wrong status': 'broken',
      'headers from inside the pod': 'pass',
    });
    expect(done.code).to.equal(1);
    // Broken by the status it answered, not by a path that did not work.
    expect(report.results.find((r) => r.expectation === 'header and query to a url, wrong status')!.httpStatus).to.equal(200);

    // The target saw the real values, from the probe pod and from the ephemeral container.
    // The container's log may trail the request by a moment: wait until it shows the last one.
    let received = '';
    await waitUntil('the target to log the URL request', async () => {
      received = await kubectl(['logs', '-n', NS, 'hang']);
      return received.includes(`recv: GET /api?token=${SECRET}&page=2 HTTP/1.1`);
    }, 15_000).catch(() => undefined);
    expect(received).to.contain(`recv: GET /p?token=${SECRET} HTTP/1.1`);
    expect(received).to.contain(`recv: GET /api?token=${SECRET}&page=2 HTTP/1.1`);
    expect(received.split(`recv: Authorization: Bearer ${SECRET}`)).to.have.length(4);
    expect(received).to.contain(`recv: X-Api-Key: ${SECRET}`);

    // Nowhere else. Each place must have been looked at for real, or the check proves nothing.
    const broken = report.results.find((r) => r.status === 'broken')!;
    expect(broken.reproduce).to.contain("-H 'Authorization: <redacted>'");
    expect(broken.destination).to.contain('?token=<redacted>&page=<redacted>');
    for (const f of FORMATS) expect(readFileSync(`${out}/report.${f}`, 'utf8'), f).not.to.contain(SECRET);
    expect(done.stdout).to.contain('Authorization: <redacted>');
    expect(done.stdout + done.stderr).not.to.contain(SECRET);
    const probePodSpecs = specs.filter((s) => s.includes('netprobe.dev/run'));
    expect(probePodSpecs, 'pod specs seen while the probe pod existed').not.to.have.length(0);
    for (const s of specs) expect(s).not.to.contain(SECRET);
    expect(await kubectl(['get', 'pod', '-n', NS, 'client', '-o', 'yaml']), 'the pod with the ephemeral container').to.match(/ephemeralContainers:/).and.not.to.contain(SECRET);
    const ours = processes.filter((p) => p.hostname === 'client' || p.hostname.startsWith('netprobe-'));
    const batches = ours.filter((p) => p.cmdline.includes('netprobe-agent probe --batch'));
    expect(batches.map((p) => p.hostname), 'agent probe processes seen in the probe pod and the ephemeral container').to.include.members(['client']);
    expect(batches.some((p) => p.hostname.startsWith('netprobe-'))).to.equal(true);
    for (const p of processes) expect(p.cmdline).not.to.contain(SECRET);
  });

  it('a batch of 1,000 probes (1.2 MB) reaches the agent whole over stdin', async () => {
    const { kc } = connect({ kubeconfig: env.kubeconfig });
    const pad = 'x'.repeat(1024);
    // Loopback, port 1: refused at once, and no traffic leaves the pod.
    const probes = Array.from({ length: 1000 }, (_, i) => ({ id: `p${i}`, kind: 'http', url: 'http://127.0.0.1:1/', timeoutMs: 2000, attempts: 1, headers: { 'X-Pad': pad } }));
    const batch = JSON.stringify({ probes });
    expect(batch.length).to.be.above(1_100_000);
    const r = await execInPod(kc, NS, 'client', 'client', [AGENT, 'probe', '--batch', '-'], 60_000, batch);
    expect(r.exitCode, r.error ?? r.stderr).to.equal(0);
    const results = parseAgentOutput(r.stdout);
    expect(new Set(results.map((o) => o.probeId)).size).to.equal(1000);
    expect(results.every((o) => o.outcome === 'refused'), results.find((o) => o.outcome !== 'refused')?.detail).to.equal(true);
  });

  it('a URL with credentials is refused (exit 2) without showing them, and nothing is created', async () => {
    const suite = SUITE.replace(`http://hang.${NS}`, `http://admin:${SECRET}@hang.${NS}`);
    const run = await netprobe(['run', tempFile('userinfo.yaml', suite)]);
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.contain(`URL "http://<redacted>@hang.${NS}.svc.cluster.local:8082/api?token=<redacted>&page=<redacted>" contains credentials`);
    expect(run.stdout + run.stderr).not.to.contain(SECRET);
    expect(await kubectl(['get', 'pods', '-n', NS, '-l', 'netprobe.dev/run', '-o', 'name'])).to.equal('');
  });
});
