// --metrics [HOST]:PORT: serves a watch's /metrics (Prometheus text) and /healthz over plain HTTP.
// Shared by `netprobe watch` and `netprobe isolation --watch`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { WatchMetrics } from '../report/metrics.ts';
import type { CliIO } from './main.ts';
import { UsageError } from './main.ts';

export interface ListenAddress {
  /** undefined: every interface (`:9090`, what a Pod needs). */
  host: string | undefined;
  port: number;
}

/** `:9090`, `0.0.0.0:9090`, `127.0.0.1:0`, `[::1]:9090`; port 0 picks a free one (the line on stderr says which). */
export function parseListen(text: string, flag = '--metrics'): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`${flag} ${text}: expected [HOST]:PORT (e.g. :9090 or 127.0.0.1:9090)`);
  const host = m[1] ?? (m[2] === '' ? undefined : m[2]);
  return { host, port };
}

export interface MetricsServer {
  /** `http://HOST:PORT` as bound (the real port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

function handler(metrics: WatchMetrics): Parameters<typeof createServer>[1] {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      metrics.text().then(
        (text) => {
          // Prometheus asks for gzip: 1,000 expectations are ~210 kB as text, ~20 kB gzipped (bench/watch-metrics.ts).
          const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
          res.writeHead(200, { 'content-type': metrics.contentType, ...(gzip ? { 'content-encoding': 'gzip' } : {}) }).end(gzip ? gzipSync(text) : text);
        },
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
      );
    } else if (path === '/healthz') {
      const h = metrics.health(new Date());
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(`${h.detail}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('netprobe serves /metrics and /healthz\n');
    }
  };
}

function urlOf(server: Server): string {
  const a = server.address() as AddressInfo;
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

/** Listens, or rejects with the reason (address in use, no such address). */
export function serveMetrics(metrics: WatchMetrics, at: ListenAddress): Promise<MetricsServer> {
  const server = createServer(handler(metrics));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve({
        url: urlOf(server),
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** /healthz's limit unless --stale-after says otherwise: three missed rounds, plus 5 min for one slow round. */
export function defaultStaleAfter(everySeconds: number): number {
  return 3 * everySeconds + 300;
}

/** serveMetrics, saying where on stderr; a failure (address in use) is said and yields false. */
export async function serveOrSay(name: string, metrics: WatchMetrics, at: ListenAddress, io: CliIO): Promise<MetricsServer | false> {
  try {
    const server = await serveMetrics(metrics, at);
    io.stderr(`netprobe ${name}: serving ${server.url}/metrics and ${server.url}/healthz\n`);
    return server;
  } catch (err) {
    io.stderr(`netprobe ${name}: --metrics ${at.host ?? ''}:${at.port}: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
}
