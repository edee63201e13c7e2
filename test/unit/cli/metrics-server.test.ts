// --metrics [HOST]:PORT: what it accepts, and what the server answers on /metrics and /healthz.
import { expect } from 'chai';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { parseListen, serveMetrics, type MetricsServer } from '../../../src/cli/metrics-server.ts';
import { UsageError } from '../../../src/cli/main.ts';
import { WatchMetrics } from '../../../src/report/metrics.ts';
import { durationSeconds } from '../../../src/cli/probe-flags.ts';

describe('parseListen', () => {
  it('takes :PORT (every interface), HOST:PORT and [IPv6]:PORT', () => {
    expect(parseListen(':9090')).to.deep.equal({ host: undefined, port: 9090 });
    expect(parseListen('127.0.0.1:0')).to.deep.equal({ host: '127.0.0.1', port: 0 });
    expect(parseListen('[::1]:9090')).to.deep.equal({ host: '::1', port: 9090 });
    expect(parseListen('localhost:8080')).to.deep.equal({ host: 'localhost', port: 8080 });
  });

  for (const bad of ['9090', ':', ':99999', 'host:port', '::1:9090', '[::1]']) {
    it(`refuses ${JSON.stringify(bad)} as a usage error`, () => {
      expect(() => parseListen(bad)).to.throw(UsageError, /--metrics .*expected \[HOST\]:PORT/);
    });
  }
});

describe('durationSeconds', () => {
  it('takes kubectl-style durations and bare seconds', () => {
    expect(durationSeconds('60', '--every')).to.equal(60);
    expect(durationSeconds('60s', '--every')).to.equal(60);
    expect(durationSeconds('5m', '--every')).to.equal(300);
    expect(durationSeconds('1h30m', '--every')).to.equal(5400);
    expect(durationSeconds('1500ms', '--every')).to.equal(1.5);
  });

  for (const bad of ['', 'soon', '5x', '1m-2s', '-5s', 's']) {
    it(`refuses ${JSON.stringify(bad)}`, () => expect(() => durationSeconds(bad, '--every')).to.throw(UsageError, /--every .*expected a duration/));
  }
});

describe('serveMetrics', () => {
  let server: MetricsServer;
  let metrics: WatchMetrics;
  const started = new Date();

  beforeEach(async () => {
    metrics = new WatchMetrics({ intervalSeconds: 60, staleAfterSeconds: 480, startedAt: started });
    server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0 });
  });
  afterEach(() => server.close());

  it('serves /metrics in Prometheus text format', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).to.contain('netprobe_rounds_total{outcome="completed"} 0');
  });

  it('gzips /metrics when asked (as Prometheus asks), plain text otherwise', async () => {
    const get = (headers: Record<string, string>) => new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request(`${server.url}/metrics`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      }).on('error', reject).end();
    });
    const zipped = await get({ 'accept-encoding': 'gzip' });
    const plain = await get({});
    expect(zipped.encoding).to.equal('gzip');
    expect(plain.encoding).to.equal(undefined);
    expect(gunzipSync(zipped.body).toString()).to.equal(plain.body.toString());
  });

  it('answers /healthz 200 while fresh and 503 once stale', async () => {
    const ok = await fetch(`${server.url}/healthz`);
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.match(/^ok: no round completed yet/);
    const stale = new WatchMetrics({ intervalSeconds: 1, staleAfterSeconds: 1, startedAt: new Date(Date.now() - 5000) });
    const other = await serveMetrics(stale, { host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${other.url}/healthz`);
      expect(res.status).to.equal(503);
      expect(await res.text()).to.match(/^stale: no round completed yet; started 5 s ago/);
    } finally {
      await other.close();
    }
  });

  it('404 elsewhere, 405 for other methods', async () => {
    expect((await fetch(`${server.url}/`)).status).to.equal(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).to.equal(405);
  });

  it('a taken port is an error, not a crash', async () => {
    const port = Number(new URL(server.url).port);
    let error: unknown;
    await serveMetrics(metrics, { host: '127.0.0.1', port }).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/EADDRINUSE/);
  });
});
