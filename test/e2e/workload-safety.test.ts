// Issue 10, "probe pods must never act as the workload", on the local cluster: a run whose sources are a
// Deployment, a Job, a DaemonSet and a bare ReplicaSet, and whose targets are Services with a numeric and a
// named targetPort (plus an echo server carrying the Services' labels). While it runs, a watcher samples
// the EndpointSlices and netprobe's pods: no netprobe pod is ever a ready endpoint (but of a headless Service
// that publishes not-ready pods, which the run reports), none is ever owned by a
// workload controller (each is controlled by its run's Lease), and the real workloads are left alone: the
// Job still succeeds, the ReplicaSet and DaemonSet keep their own pods. Then a SIGKILLed run: its expiry
// Job fails at its deadline, and the cluster alone removes the Job, the Lease and the pods.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterEnv, kubectl, netprobe, readReport, startNetprobe, tempFile, waitUntil, type ClusterEnv } from './support.ts';

const NS = 'e2e-workload-a';
const PUBLISHES_NOT_READY = 'web-peers';
const BUDGET = 'web-budget';
const AGENT = '/usr/local/bin/netprobe-agent';
const RESTRICTED_POD = `securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}`;
const RESTRICTED_CONTAINER = `securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}`;

function fixtures(env: ClusterEnv): string {
  const container = (name: string, command: string[], extra = '') =>
    `{name: ${name}, image: ${env.echoImage}, imagePullPolicy: IfNotPresent, command: ${JSON.stringify(command)}, ${RESTRICTED_CONTAINER}${extra}}`;
  const sleeper = (seconds: number) => container('main', [AGENT, 'sleep', '--for', `${seconds}s`]);
  const server = container('main', [AGENT, 'serve', '--tcp', '8080'], `, ports: [{name: http, containerPort: 8080}], readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}`);
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {${RESTRICTED_POD}, containers: [${server}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-numeric, namespace: ${NS}}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-named, namespace: ${NS}}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-peers, namespace: ${NS}}
spec: {clusterIP: None, publishNotReadyAddresses: true, selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: ${BUDGET}, namespace: ${NS}}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: v1
kind: Service
metadata: {name: batch-numeric, namespace: ${NS}}
spec: {selector: {app: batch}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: ds-numeric, namespace: ${NS}}
spec: {selector: {app: ds}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: rs-numeric, namespace: ${NS}}
spec: {selector: {app: rs}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch, namespace: ${NS}}
spec:
  backoffLimit: 0
  template:
    metadata: {labels: {app: batch}}
    spec: {restartPolicy: Never, ${RESTRICTED_POD}, containers: [${sleeper(75)}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds, namespace: ${NS}}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds}}
    spec: {${RESTRICTED_POD}, terminationGracePeriodSeconds: 0, containers: [${sleeper(3600)}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {${RESTRICTED_POD}, terminationGracePeriodSeconds: 0, containers: [${sleeper(3600)}]}
`;
}

const SUITE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata: {name: workload-safety}
spec:
  endpoints:
    deployment: {namespace: ${NS}, workload: {kind: Deployment, name: web}}
    job: {namespace: ${NS}, podSelector: {matchLabels: {app: batch}}}
    daemonset: {namespace: ${NS}, workload: {kind: DaemonSet, name: ds}}
    replicaset: {namespace: ${NS}, podSelector: {matchLabels: {app: rs}}}
    numeric: {namespace: ${NS}, service: web-numeric}
    named: {namespace: ${NS}, service: web-named}
    standin: {namespace: ${NS}, podSelector: {matchLabels: {app: web, role: standin}}, synthetic: true}
  expectations:
    - name: to the numeric targetPort
      from: [deployment, job, daemonset, replicaset]
      to: numeric
      port: 80
      expect: allow
    - name: to the named targetPort
      from: [deployment, job, daemonset, replicaset]
      to: named
      port: 80
      expect: allow
    - name: to a stand-in that carries the Services' labels
      from: [job, replicaset]
      to: standin
      port: 8080
      expect: allow
`;

interface Slice {
  metadata: { name: string; labels?: Record<string, string> };
  endpoints?: { conditions?: { ready?: boolean; serving?: boolean }; targetRef?: { name?: string } }[];
}
interface PodObj {
  metadata: { name: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
const podsOf = async (selector: string) => (await json<{ items: PodObj[] }>(['get', 'pods', '-n', NS, '-l', selector])).items;

/** What the watcher saw across all its samples. */
interface Seen {
  samples: number;
  /** Samples in which netprobe pods existed with ready containers. */
  withReadyContainers: number;
  /** netprobe pods seen in an EndpointSlice (not ready), by Service. */
  listedNotReady: Set<string>;
  /** A netprobe pod was listed by the headless Service with publishNotReadyAddresses. */
  publishedNotReady: boolean;
  /** The renewTimes of the run's Leases: the heartbeat. */
  renewals: Set<string>;
  /** status.disruptionsAllowed of the budget over maxUnavailable, in samples taken while netprobe pods ran. */
  budgetAllowed: Set<number>;
  problems: string[];
}

async function sample(seen: Seen): Promise<void> {
  const [slices, pods, leases, budget] = await Promise.all([
    json<{ items: Slice[] }>(['get', 'endpointslices', '-n', NS]),
    podsOf('netprobe.dev/run'),
    json<{ items: { spec?: { renewTime?: string } }[] }>(['get', 'leases', '-n', NS, '-l', 'netprobe.dev/run']),
    json<{ status?: { disruptionsAllowed?: number } }>(['get', 'pdb', BUDGET, '-n', NS]),
  ]);
  if (pods.some((p) => p.metadata.labels?.app === 'web')) seen.budgetAllowed.add(budget.status?.disruptionsAllowed ?? -1);
  seen.samples += 1;
  for (const l of leases.items) if (l.spec?.renewTime) seen.renewals.add(l.spec.renewTime);
  for (const s of slices.items) {
    const svc = s.metadata.labels?.['kubernetes.io/service-name'] ?? s.metadata.name;
    for (const e of s.endpoints ?? []) {
      if (!e.targetRef?.name?.startsWith('netprobe-')) continue;
      // The one known exception, reported by the run: a Service that publishes pods that are not Ready.
      if (svc === PUBLISHES_NOT_READY) {
        seen.publishedNotReady = true;
        continue;
      }
      if (e.conditions?.ready === true || e.conditions?.serving === true) seen.problems.push(`${e.targetRef.name} is a ready/serving endpoint of ${svc}`);
      else seen.listedNotReady.add(svc);
    }
  }
  if (pods.some((p) => p.status?.conditions?.some((c) => c.type === 'ContainersReady' && c.status === 'True'))) seen.withReadyContainers += 1;
  for (const p of pods) {
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') seen.problems.push(`${p.metadata.name} is Ready`);
    const controllers = (p.metadata.ownerReferences ?? []).filter((o) => o.controller === true);
    const run = p.metadata.labels?.['netprobe.dev/run'];
    if (controllers.length !== 1 || controllers[0]!.kind !== 'Lease' || controllers[0]!.name !== `netprobe-${run}`) {
      seen.problems.push(`${p.metadata.name} is controlled by ${JSON.stringify(p.metadata.ownerReferences ?? [])}`);
    }
    for (const key of Object.keys(p.metadata.labels ?? {})) {
      if (/^(job-name|controller-uid|pod-template-hash|controller-revision-hash|pod-template-generation)$|^batch\.kubernetes\.io\//.test(key)) seen.problems.push(`${p.metadata.name} carries ${key}`);
    }
  }
}

describe('e2e: probe pods never act as the workload (issue 10)', function () {
  let env: ClusterEnv;

  before(async function () {
    env = clusterEnv(this);
    await kubectl(['apply', '-f', '-'], fixtures(env));
    await kubectl(['rollout', 'status', '-n', NS, 'deployment/web', '--timeout=120s']);
    await kubectl(['rollout', 'status', '-n', NS, 'daemonset/ds', '--timeout=120s']);
    await waitUntil('the Job and ReplicaSet pods to run', async () => {
      const pods = await podsOf('app in (batch,rs)');
      return pods.length === 2 && pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, 120_000);
  });

  after(async () => {
    await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  });

  it('during a run no netprobe pod is a ready endpoint or owned by a controller, and the workloads are left alone', async () => {
    const realBefore = (await podsOf('app in (rs,ds,batch)')).map((p) => p.metadata.name).sort();
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'netprobe-workload-')), 'report.json');
    // A 10 s settle keeps the pods alive long enough for the controllers to act, if they would.
    const run = startNetprobe(['run', tempFile('suite.yaml', SUITE), '--settle', '10', '-o', `json=${out}`, '--quiet']);
    const seen: Seen = { samples: 0, withReadyContainers: 0, listedNotReady: new Set(), publishedNotReady: false, renewals: new Set(), budgetAllowed: new Set(), problems: [] };
    let finished = false;
    void run.done.then(() => (finished = true));
    while (!finished) {
      await sample(seen);
      await new Promise((r) => setTimeout(r, 300));
    }
    const done = await run.done;
    expect(done.code, done.stderr).to.equal(0);

    expect(seen.problems, seen.problems.join('\n')).to.deep.equal([]);
    expect(seen.withReadyContainers, 'samples with netprobe pods running').to.be.at.least(5);
    // The run lasted over 10 s: its Lease was renewed at least once.
    expect(done.ms).to.be.above(12_000);
    expect(seen.renewals.size, [...seen.renewals].join(', ')).to.be.at.least(2);
    // The numeric targetPort Services do list netprobe's pods with matching labels, never as ready.
    expect([...seen.listedNotReady]).to.include.members(['web-numeric', 'batch-numeric', 'ds-numeric', 'rs-numeric']);

    const report = readReport(out);
    expect(report.results.every((r) => r.status === 'pass'), JSON.stringify(report.results.filter((r) => r.status !== 'pass'))).to.equal(true);
    expect(report.results).to.have.length(10);
    const dropped = report.findings?.find((f) => f.pattern === 'dropped-labels');
    expect(dropped?.message).to.contain('job-name=batch').and.contain('controller-uid=');
    // The limit the run cannot avoid, seen and said: the headless Service lists the pods carrying app=web.
    expect(seen.publishedNotReady).to.equal(true);
    expect(report.findings?.find((f) => f.pattern === 'publishes-not-ready')?.message).to.contain(`${NS}/${PUBLISHES_NOT_READY}`);
    // The other: a maxUnavailable budget over app=web allowed no disruption while the probe pod lived, and the run said so.
    expect([...seen.budgetAllowed]).to.include(0);
    expect(report.findings?.find((f) => f.pattern === 'holds-disruption-budget')?.message).to.contain(`${NS}/${BUDGET}`).and.contain('probe pod for');
    await waitUntil('the budget to allow a disruption again', async () => (await kubectl(['get', 'pdb', BUDGET, '-n', NS, '-o', 'jsonpath={.status.disruptionsAllowed}'])).trim() === '1', 60_000);

    // The real workloads: the same pods as before, and the Job succeeds with no failure counted.
    await waitUntil('the Job to complete', async () => (await kubectl(['get', 'job', 'batch', '-n', NS, '-o', 'jsonpath={.status.succeeded}'])).trim() === '1', 120_000);
    expect((await kubectl(['get', 'job', 'batch', '-n', NS, '-o', 'jsonpath={.status.failed}'])).trim()).to.be.oneOf(['', '0']);
    expect((await podsOf('app in (rs,ds,batch)')).map((p) => p.metadata.name).sort()).to.deep.equal(realBefore);
    expect((await kubectl(['get', 'rs', 'rs', '-n', NS, '-o', 'jsonpath={.status.replicas}'])).trim()).to.equal('1');
    // Nothing of the run is left: pods, Leases, Jobs.
    await waitUntil('the run\'s objects to be gone', async () => (await kubectl(['get', 'pods,leases,jobs', '-n', NS, '-l', 'netprobe.dev/run', '-o', 'name'])).trim() === '', 60_000);
  });

  it('after kill -9 the cluster alone removes the run: the expiry Job fails, then the Job, the Lease and the pods go', async () => {
    const run = startNetprobe(['run', tempFile('suite.yaml', SUITE), '--settle', '600', '--quiet']);
    const runId = await (async () => {
      let id = '';
      await waitUntil('the run\'s pods to be ready', async () => {
        const pods = await podsOf('netprobe.dev/run');
        id = pods[0]?.metadata.labels?.['netprobe.dev/run'] ?? '';
        return pods.length > 0 && pods.every((p) => p.status?.conditions?.some((c) => c.type === 'ContainersReady' && c.status === 'True'));
      }, 120_000);
      return id;
    })();
    run.child.kill('SIGKILL');
    await run.done;
    const lease = await json<{ metadata: { ownerReferences?: { kind: string }[] }; spec: { holderIdentity: string; leaseDurationSeconds: number } }>(['get', 'lease', `netprobe-${runId}`, '-n', NS]);
    expect(lease.spec).to.deep.include({ holderIdentity: 'netprobe', leaseDurationSeconds: 30 });
    expect(lease.metadata.ownerReferences?.map((o) => o.kind)).to.deep.equal(['Job']);
    expect((await podsOf(`netprobe.dev/run=${runId}`)).length).to.be.greaterThan(0);

    // The deadline is the run's (minutes): bring it forward, as if the time had passed.
    await kubectl(['patch', 'job', `netprobe-${runId}`, '-n', NS, '--type', 'merge', '-p', '{"spec":{"activeDeadlineSeconds":1}}']);
    await waitUntil('the job, lease and pods of the killed run to be gone', async () => {
      const left = (await kubectl(['get', 'pods,leases,jobs', '-n', NS, '-l', `netprobe.dev/run=${runId}`, '-o', 'name'])).trim();
      return left === '';
    }, 120_000);
    // The real workloads are untouched.
    expect((await kubectl(['get', 'rs', 'rs', '-n', NS, '-o', 'jsonpath={.status.readyReplicas}'])).trim()).to.equal('1');
  });

  it('`netprobe clean --run ID` removes a killed run\'s Lease and Job as well as its pods', async () => {
    const run = startNetprobe(['run', tempFile('suite.yaml', SUITE), '--settle', '600', '--quiet']);
    let runId = '';
    await waitUntil('the run\'s pods to exist', async () => {
      runId = (await podsOf('netprobe.dev/run'))[0]?.metadata.labels?.['netprobe.dev/run'] ?? '';
      return runId !== '';
    }, 120_000);
    run.child.kill('SIGKILL');
    await run.done;
    const clean = await netprobe(['clean', '--run', runId]);
    expect(clean.code, clean.stderr).to.equal(0);
    await waitUntil('the killed run\'s objects to be gone', async () => (await kubectl(['get', 'pods,leases,jobs', '-n', NS, '-l', `netprobe.dev/run=${runId}`, '-o', 'name'])).trim() === '', 60_000);
  });
});
