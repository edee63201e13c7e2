// `netprobe clean` against a fake API server holding four runs' leftovers: by default only runs that are
// over are touched (stale heartbeat, or no heartbeat and the deadline passed); a live run's pods stay
// and clean says why; --run touches one run, live or not; --all touches every run. Before, clean deleted
// every netprobe pod of every run, live or not.
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { main, type CliIO } from '../../../src/cli/main.ts';
import { runState } from '../../../src/cluster/run-state.ts';
import { startFakeApi, type FakeApi, type Reply } from './fake-api.ts';

const RUN = 'netprobe.dev/run';
const MANAGED = { 'app.kubernetes.io/managed-by': 'netprobe' };
const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

function pod(namespace: string, runId: string, createdSecondsAgo: number, deadline = 300): k8s.V1Pod {
  return {
    metadata: { namespace, name: `netprobe-${runId}-s0`, labels: { ...MANAGED, [RUN]: runId }, creationTimestamp: ago(createdSecondsAgo) as unknown as Date },
    spec: { activeDeadlineSeconds: deadline, containers: [] },
    status: { phase: 'Running' },
  };
}

function lease(namespace: string, runId: string, renewedSecondsAgo: number): k8s.V1Lease {
  return {
    metadata: { namespace, name: `netprobe-${runId}`, labels: { ...MANAGED, [RUN]: runId } },
    spec: { holderIdentity: 'netprobe', leaseDurationSeconds: 30, renewTime: ago(renewedSecondsAgo) as unknown as k8s.V1MicroTime },
  };
}

// Built at each request (times relative to now). live: fresh heartbeat. stale: heartbeat stopped 2 min ago (its pods' deadline is still ahead).
// young: no heartbeat, deadline ahead. old: no heartbeat, deadline passed. doctor: a namespace only.
const PODS = () => [pod('e1', 'aaaaaa', 10), pod('e1', 'bbbbbb', 130), pod('e2', 'cccccc', 10), pod('e2', 'dddddd', 400)];
const LEASES = () => [lease('e1', 'aaaaaa', 5), lease('e1', 'bbbbbb', 120)];
const NAMESPACES: k8s.V1Namespace[] = [{ metadata: { name: 'netprobe-doctor-eeeeee', labels: { ...MANAGED, [RUN]: 'eeeeee' } } }];

function selectedBy<T extends { metadata?: k8s.V1ObjectMeta }>(items: T[], selector: string | null): T[] {
  if (selector === null) return items;
  const wanted = selector.split(',').map((s) => s.split('='));
  return items.filter((o) => wanted.every(([k, v]) => (v === undefined ? o.metadata?.labels?.[k!] !== undefined : o.metadata?.labels?.[k!] === v)));
}

const cluster = ({ method, path, query }: { method: string; path: string; query: URLSearchParams }): Reply => {
  const selector = query.get('labelSelector');
  if (method === 'GET' && path === '/api/v1/pods') return { status: 200, body: { items: selectedBy(PODS(), selector) } };
  if (method === 'GET' && path === '/apis/coordination.k8s.io/v1/leases') return { status: 200, body: { items: selectedBy(LEASES(), selector) } };
  if (method === 'GET' && path === '/api/v1/namespaces') return { status: 200, body: { items: selectedBy(NAMESPACES, selector) } };
  if (method === 'DELETE') return { status: 200, body: { kind: 'Status', status: 'Success' } };
  return { status: 404, body: { kind: 'Status', code: 404 } };
};

describe('netprobe clean (fake API server)', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi();
  });
  after(() => api.close());

  async function clean(...args: string[]): Promise<{ code: number; out: string; deletes: string[] }> {
    api.handle(cluster);
    let out = '';
    const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (out += s) };
    const code = await main(['clean', '--kubeconfig', api.kubeconfig, ...args], io);
    return { code, out, deletes: api.selected.filter((r) => r.startsWith('DELETE')).sort() };
  }

  it('by default touches only runs that are over, and says why it left the others', async () => {
    const r = await clean();
    expect(r.code, r.out).to.equal(0);
    expect(r.deletes).to.deep.equal([
      'DELETE /api/v1/namespaces/e1/pods ?netprobe.dev/run=bbbbbb',
      'DELETE /api/v1/namespaces/e2/pods ?netprobe.dev/run=dddddd',
      'DELETE /api/v1/namespaces/netprobe-doctor-eeeeee',
      'DELETE /apis/batch/v1/namespaces/e1/jobs/netprobe-bbbbbb',
      'DELETE /apis/coordination.k8s.io/v1/namespaces/e1/leases/netprobe-bbbbbb',
    ]);
    expect(r.out).to.match(/left run aaaaaa alone: its heartbeat was renewed [5-9] s ago \(--run aaaaaa cleans it anyway\)/);
    expect(r.out).to.match(/left run cccccc alone: it has no heartbeat and its deadline is in 2\d\d s/);
    expect(r.out).to.contain('deleted 2 netprobe pods of 2 runs');
    expect(r.out).to.contain('deleted 1 heartbeat Lease');
  });

  it('--run ID touches that run, live or not', async () => {
    const r = await clean('--run', 'aaaaaa');
    expect(r.code, r.out).to.equal(0);
    expect(r.deletes).to.deep.equal([
      'DELETE /api/v1/namespaces/e1/pods ?netprobe.dev/run=aaaaaa',
      'DELETE /apis/batch/v1/namespaces/e1/jobs/netprobe-aaaaaa',
      'DELETE /apis/coordination.k8s.io/v1/namespaces/e1/leases/netprobe-aaaaaa',
    ]);
  });

  it('--all touches every run', async () => {
    const r = await clean('--all');
    expect(r.code, r.out).to.equal(0);
    expect(r.deletes.filter((d) => d.includes('/pods'))).to.deep.equal(['aaaaaa', 'bbbbbb', 'cccccc', 'dddddd'].map((id, i) => `DELETE /api/v1/namespaces/${i < 2 ? 'e1' : 'e2'}/pods ?netprobe.dev/run=${id}`));
    expect(r.deletes).to.include('DELETE /api/v1/namespaces/netprobe-doctor-eeeeee');
  });

  it('--run and --all exclude each other (exit 2, nothing asked)', async () => {
    const r = await clean('--run', 'aaaaaa', '--all');
    expect(r.code).to.equal(2);
    expect(api.requests).to.deep.equal([]);
  });
});

describe('runState (pure)', () => {
  const now = new Date('2026-11-29T12:00:00Z');
  const at = (s: number) => new Date(now.getTime() + s * 1000);
  it('a fresh Lease makes a run live even past its pods\' deadline; all stale makes it over', () => {
    expect(runState('r', [{ runId: 'r', renewTime: at(-29), durationSeconds: 30 }], [{ runId: 'r', endsAt: at(-100) }], now).over).to.equal(false);
    expect(runState('r', [{ runId: 'r', renewTime: at(-31), durationSeconds: 30 }, { runId: 'r', renewTime: at(-40), durationSeconds: 30 }], [{ runId: 'r', endsAt: at(100) }], now)).to.deep.equal({ over: true, why: 'its heartbeat stopped 31 s ago' });
  });
  it('without a Lease, the last deadline of its pods and containers decides', () => {
    expect(runState('r', [], [{ runId: 'r', endsAt: at(-10) }, { runId: 'r', endsAt: at(5) }], now).over).to.equal(false);
    expect(runState('r', [], [{ runId: 'r', endsAt: at(-10) }, { runId: 'other', endsAt: at(50) }], now)).to.deep.equal({ over: true, why: 'its deadline passed 10 s ago' });
  });
  it('another run\'s heartbeat says nothing about this one', () => {
    expect(runState('r', [{ runId: 'x', renewTime: at(-1), durationSeconds: 30 }], [], now).over).to.equal(true);
  });
});
