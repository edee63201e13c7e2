// `netprobe watch` on the local cluster (issue 14 item 4): a deny that holds, a hole opened mid-watch by an
// allowing NetworkPolicy and seen as a leak in /metrics within two rounds, then closed and seen to go; the
// JSON change lines; /healthz; SIGTERM during a round leaves no pod. Own namespaces (watch-e2e-*), deleted
// at the end.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { clusterEnv, kubectl, startNetprobe, tempFile, waitUntil, type ClusterEnv } from './support.ts';

const ID = randomBytes(3).toString('hex');
const APP = `watch-e2e-${ID}-app`;
const CLIENT = `watch-e2e-${ID}-client`;
const EXPECTATION = 'the client must not reach the database';

const RESTRICTED = `securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}`;
const CONTAINER_SECURITY = `securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}`;

function deployment(ns: string, app: string, image: string, more = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${app}, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      ${RESTRICTED}
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: ${image}
        imagePullPolicy: Never
        ${more}
        ${CONTAINER_SECURITY}
`;
}

/** db listens on 5432 with a readiness probe there (so a deny is proven); APP denies all ingress. */
function fixtures(env: ClusterEnv): string {
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${APP}}\n`,
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${CLIENT}}\n`,
    deployment(APP, 'db', env.echoImage, 'env: [{name: ECHO_TCP, value: "5432"}]\n        ports: [{containerPort: 5432}]\n        readinessProbe: {tcpSocket: {port: 5432}, periodSeconds: 2}'),
    deployment(CLIENT, 'client', env.probeImage),
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: ${APP}}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n`,
  ].join('---\n');
}

/** The hole: the client's namespace may reach db on 5432. */
const HOLE = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: hole, namespace: ${APP}}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${CLIENT}}}}], ports: [{port: 5432}]}]
`;

const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: watch-e2e}
spec:
  defaults: {timeoutSeconds: 2, attempts: 1}
  expectations:
    - name: ${EXPECTATION}
      from: {namespace: ${CLIENT}, podSelector: {matchLabels: {app: client}}}
      to: {namespace: ${APP}, podSelector: {matchLabels: {app: db}}}
      port: 5432
      expect: deny
`;

interface Event {
  event: 'status' | 'round' | 'round-failed';
  round?: number;
  expectation?: string;
  before?: string | null;
  after?: string | null;
  leak?: number;
  time: string;
}

/** netprobe's pods in this file's namespaces. */
async function ownPods(): Promise<string[]> {
  const lines = await Promise.all([APP, CLIENT].map((ns) => kubectl(['get', 'pods', '-n', ns, '-l', 'netprobe.dev/run', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'])));
  return lines.join('\n').split('\n').filter(Boolean);
}

describe('e2e: netprobe watch (continuous verification, /metrics, /healthz)', function () {
  let watch: ReturnType<typeof startNetprobe>;
  let url = '';
  let stdoutOf: () => string = () => '';
  const events = (): Event[] => stdoutOf().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
  const rounds = () => events().filter((e) => e.event === 'round');
  const statusSeries = async (): Promise<string[]> => (await (await fetch(`${url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('netprobe_expectation_status{') && l.includes(`expectation="${EXPECTATION}"`));

  before(async function () {
    this.timeout(300_000);
    const env = clusterEnv(this);
    await kubectl(['apply', '-f', '-'], fixtures(env));
    for (const [ns, app] of [[APP, 'db'], [CLIENT, 'client']] as const) await kubectl(['rollout', 'status', '-n', ns, `deployment/${app}`, '--timeout=180s']);
    watch = startNetprobe(['watch', tempFile('watch.yaml', SUITE), '--every', '5s', '--metrics', '127.0.0.1:0', '--quiet']);
    let stdout = '';
    watch.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    stdoutOf = () => stdout;
    await waitUntil('the metrics address', async () => /serving (http:\S+)\/metrics/.test(watch.output()), 30_000);
    url = /serving (http:\S+)\/metrics/.exec(watch.output())![1]!;
    await waitUntil('a first round', async () => rounds().length > 0, 120_000);
  });

  after(async function () {
    this.timeout(120_000);
    if (watch && watch.child.exitCode === null) watch.child.kill('SIGTERM');
    await kubectl(['delete', 'namespace', APP, CLIENT, '--wait=false', '--ignore-not-found']);
  });

  it('the deny holds: one series, status pass, no status line (a pass at start is not news)', async () => {
    expect(await statusSeries(), watch.output()).to.deep.equal([
      `netprobe_expectation_status{suite="watch-e2e",expectation="${EXPECTATION}",from="${CLIENT}/app=client",to="${APP}/app=db",port="5432",protocol="TCP",status="pass"} 1`,
    ]);
    expect(events().filter((e) => e.event === 'status')).to.deep.equal([]);
  });

  it('/healthz answers 200 while rounds complete', async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.match(/^ok: last round completed \d+ s ago/);
  });

  it('a hole opened mid-watch is a leak in /metrics within two rounds, with one status line', async function () {
    this.timeout(180_000);
    await kubectl(['apply', '-f', '-'], HOLE);
    const before = rounds().at(-1)!.round!;
    await waitUntil('the leak in /metrics', async () => (await statusSeries()).some((l) => l.includes('status="leak"')), 120_000);
    const seenBy = rounds().at(-1)!.round!;
    console.log(`      leak seen in round ${seenBy}, hole opened after round ${before}`);
    expect(seenBy - before).to.be.at.most(2);
    const series = await statusSeries();
    expect(series, 'the pass series is removed').to.have.length(1);
    expect(series[0]).to.match(/status="leak"\} 1$/);
    const line = events().filter((e) => e.event === 'status');
    expect(line.map((e) => [e.expectation, e.before, e.after])).to.deep.equal([[EXPECTATION, 'pass', 'leak']]);
    expect(rounds().at(-1)!.leak).to.equal(1);
  });

  it('closed again, the leak goes from /metrics within two rounds, with one status line', async function () {
    this.timeout(180_000);
    await kubectl(['delete', 'networkpolicy', '-n', APP, 'hole']);
    const before = rounds().at(-1)!.round!;
    await waitUntil('the pass again in /metrics', async () => (await statusSeries()).some((l) => l.includes('status="pass"')), 120_000);
    const seenBy = rounds().at(-1)!.round!;
    console.log(`      pass again in round ${seenBy}, hole closed after round ${before}`);
    expect(seenBy - before).to.be.at.most(2);
    expect(await statusSeries()).to.have.length(1);
    const lines = events().filter((e) => e.event === 'status');
    expect(lines.map((e) => [e.before, e.after])).to.deep.equal([['pass', 'leak'], ['leak', 'pass']]);
  });

  it('isolation --watch --metrics serves the same metrics for the isolated namespace', async function () {
    this.timeout(300_000);
    const iso = startNetprobe(['isolation', APP, '--from-namespaces', CLIENT, '--watch', '5', '--metrics', '127.0.0.1:0', '--quiet', '-o', 'json']);
    try {
      await waitUntil('the isolation metrics address', async () => /serving (http:\S+)\/metrics/.test(iso.output()), 60_000);
      const isoUrl = /serving (http:\S+)\/metrics/.exec(iso.output())![1]!;
      const completed = async () => Number(/netprobe_rounds_total\{outcome="completed"\} (\d+)/.exec(await (await fetch(`${isoUrl}/metrics`)).text())?.[1] ?? 0);
      await waitUntil('an isolation round in /metrics', async () => (await completed()) >= 1, 240_000);
      const text = await (await fetch(`${isoUrl}/metrics`)).text();
      const series = text.split('\n').filter((l) => l.startsWith('netprobe_expectation_status{'));
      const total = ['pass', 'leak', 'broken', 'inconclusive'].reduce((n, st) => n + Number(new RegExp(`netprobe_results\\{status="${st}"\\} (\\d+)`).exec(text)?.[1] ?? 0), 0);
      console.log(`      isolation of ${APP}: ${series.length} status series, ${total} results`);
      expect(series.length).to.be.greaterThan(0);
      expect(series.every((l) => l.includes(`${APP}`))).to.equal(true);
      expect(total).to.be.at.least(series.length);
      expect((await fetch(`${isoUrl}/healthz`)).status).to.equal(200);
    } finally {
      iso.child.kill('SIGTERM');
    }
    expect((await iso.done).code).to.equal(130);
  });

  it('with --quiet the run\'s notes are still said (only the progress line goes), each once however many rounds repeat it', async function () {
    this.timeout(240_000);
    // Two sources and --max-pods 1: every round runs in 2 waves, and says so in a note.
    const suite = `${SUITE}    - {name: the database does not call the client, from: {namespace: ${APP}, podSelector: {matchLabels: {app: db}}}, to: {namespace: ${CLIENT}, podSelector: {matchLabels: {app: client}}}, port: 5432, expect: deny}\n`;
    const waves = startNetprobe(['watch', tempFile('waves.yaml', suite), '--every', '1s', '--max-pods', '1', '--quiet']);
    try {
      await waitUntil('two rounds', async () => waves.output().split('\n').filter((l) => l.includes('"event":"round"')).length >= 2, 200_000);
    } finally {
      waves.child.kill('SIGTERM');
    }
    const done = await waves.done;
    expect(done.stderr.split('\n').filter((l) => /^netprobe: 2 waves: /.test(l)), done.stderr).to.have.length(1);
  });

  it('SIGTERM during a round: exit 130, and no netprobe pod is left', async function () {
    this.timeout(180_000);
    await waitUntil('a round with its pods up', async () => (await ownPods()).length > 0, 60_000);
    watch.child.kill('SIGTERM');
    const done = await watch.done;
    expect(done.code, done.stderr).to.equal(130);
    expect(done.stderr).to.match(/interrupted; pods of run \w+ deleted/);
    expect(await ownPods()).to.deep.equal([]);
  });
});
