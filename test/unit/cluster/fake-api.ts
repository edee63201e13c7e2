// A fake Kubernetes API server on loopback for faults a real cluster cannot show on demand (429, 5xx,
// connection resets). Each test gives a handler; every request is recorded as "METHOD path".
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset';
export type Handler = (req: { method: string; path: string; query: URLSearchParams; body: unknown }) => Reply;

export interface FakeApi {
  kc: k8s.KubeConfig;
  /** "METHOD /path" of every request, in order (query strings left out). */
  requests: string[];
  /** The same with the label selector, when there is one: "METHOD /path ?app=web". */
  selected: string[];
  /** A kubeconfig file for the fake server (for the CLI). */
  kubeconfig: string;
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  let handler: Handler = () => ({ status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound' } });
  const requests: string[] = [];
  const selected: string[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = url.pathname;
      requests.push(`${req.method} ${path}`);
      const selector = url.searchParams.get('labelSelector');
      selected.push(`${req.method} ${path}${selector !== null ? ` ?${selector}` : ''}`);
      const reply = handler({ method: req.method ?? '', path, query: url.searchParams, body: data ? (JSON.parse(data) as unknown) : undefined });
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'u' }],
    currentContext: 'fake',
  });
  const kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), 'netprobe-fake-api-')), 'kubeconfig');
  writeFileSync(kubeconfig, kc.exportConfig());
  return {
    kc,
    requests,
    selected,
    kubeconfig,
    handle(h) {
      handler = h;
      requests.length = 0;
      selected.length = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const status = (code: number, reason: string, message = reason): Exclude<Reply, 'reset'> => ({ status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message } });

/** A Ready pod as the API returns it (containers ready too: what netprobe waits on for its own pods). */
export function readyPod(namespace: string, name: string, labels: Record<string, string>): k8s.V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels },
    status: { phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'ContainersReady', status: 'True' }, { type: 'Ready', status: 'True' }] },
  };
}

export const podList = (items: k8s.V1Pod[]): Reply => ({ status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: {}, items } });
