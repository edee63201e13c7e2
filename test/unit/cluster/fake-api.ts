// A fake Kubernetes API server on loopback for faults a real cluster cannot show on demand (429, 5xx,
// connection resets). Each test gives a handler; every request is recorded as "METHOD path".
import * as k8s from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset';
export type Handler = (req: { method: string; path: string; body: unknown }) => Reply;

export interface FakeApi {
  kc: k8s.KubeConfig;
  /** "METHOD /path" of every request, in order (query strings left out). */
  requests: string[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  let handler: Handler = () => ({ status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound' } });
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      requests.push(`${req.method} ${path}`);
      const reply = handler({ method: req.method ?? '', path, body: data ? (JSON.parse(data) as unknown) : undefined });
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
  return {
    kc,
    requests,
    handle(h) {
      handler = h;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const status = (code: number, reason: string, message = reason): Exclude<Reply, 'reset'> => ({ status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message } });

/** A Ready pod as the API returns it. */
export function readyPod(namespace: string, name: string, labels: Record<string, string>): k8s.V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels },
    status: { phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export const podList = (items: k8s.V1Pod[]): Reply => ({ status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: {}, items } });
