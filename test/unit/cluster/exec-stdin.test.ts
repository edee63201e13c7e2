// execInPod's stdin against a fake API server speaking the exec WebSocket protocol on loopback: the input
// stays out of the request (the command line), arrives whole, and is ended with a close of stdin alone
// (v5.channel.k8s.io); an API server with only the older protocols, which cannot end stdin without ending
// the exec, gives a clear error. The real cluster's side is proven in test/e2e/secrets.test.ts.
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { execInPod } from '../../../src/cluster/exec.ts';

const STDIN = 0;
const STDOUT = 1;
const STATUS = 3;
const CLOSE = 255;

/** One server frame: FIN + opcode, unmasked payload. */
function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(n)]);
  return Buffer.concat([head, payload]);
}

function bigLength(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Complete client frames (masked) at the start of `buf`, and what is left over. */
function readFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (buf.length - at >= 2) {
    const opcode = buf[at]! & 0x0f;
    let len = buf[at + 1]! & 0x7f;
    let p = at + 2;
    if (len === 126) [len, p] = [buf.readUInt16BE(p), p + 2];
    else if (len === 127) [len, p] = [Number(buf.readBigUInt64BE(p)), p + 8];
    if (buf.length < p + 4 + len) break;
    const mask = buf.subarray(p, p + 4);
    const payload = Buffer.from(buf.subarray(p + 4, p + 4 + len).map((b, i) => b ^ mask[i % 4]!));
    frames.push({ opcode, payload });
    at = p + 4 + len;
  }
  return { frames, rest: buf.subarray(at) };
}

interface Seen {
  url: string;
  stdin: Buffer;
  stdinClosed: boolean;
}

/** An API server whose exec echoes stdin to stdout once stdin is closed, then reports success (at once without stdin). */
function fakeApi(protocol: string, seen: Seen[]): Server {
  const server = createServer();
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(/,\s*/);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${offered.includes(protocol) ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`);
    const s: Seen = { url: req.url ?? '', stdin: Buffer.alloc(0), stdinClosed: false };
    seen.push(s);
    const status = frame(2, Buffer.concat([Buffer.from([STATUS]), Buffer.from(JSON.stringify({ status: 'Success' }))]));
    if (s.url.includes('stdin=false')) socket.write(status);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const f of frames) {
        if (f.opcode === 8) return void socket.end(frame(8, Buffer.alloc(0)));
        if (f.payload[0] === STDIN) s.stdin = Buffer.concat([s.stdin, f.payload.subarray(1)]);
        if (f.payload[0] === CLOSE && f.payload[1] === STDIN) {
          s.stdinClosed = true;
          socket.write(frame(2, Buffer.concat([Buffer.from([STDOUT]), s.stdin])));
          socket.write(status);
        }
      }
    });
    socket.on('error', () => undefined);
  });
  return server;
}

async function withFakeApi(protocol: string, fn: (kc: k8s.KubeConfig, seen: Seen[]) => Promise<void>): Promise<void> {
  const seen: Seen[] = [];
  const server = fakeApi(protocol, seen);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
  try {
    await fn(kc, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('execInPod with stdin', () => {
  it('sends the input on stdin, whole (1 MB), closes stdin alone, and keeps it out of the request', async () => {
    const input = JSON.stringify({ probes: [{ id: 'a', headers: { Authorization: 'Bearer SECRET-x' } }], pad: 'é'.repeat(500_000) });
    await withFakeApi('v5.channel.k8s.io', async (kc, seen) => {
      const r = await execInPod(kc, 'ns', 'pod', 'probe', ['/agent', 'probe', '--batch', '-'], 10_000, input);
      expect(r.error).to.equal(undefined);
      expect(r.exitCode).to.equal(0);
      expect(r.stdout).to.equal(input);
      expect(seen).to.have.length(1);
      expect(seen[0]!.stdinClosed).to.equal(true);
      expect(decodeURIComponent(seen[0]!.url)).to.contain('command=--batch&command=-').and.not.to.contain('SECRET');
      expect(seen[0]!.url).to.contain('stdin=true');
    });
  });

  it('without input asks for no stdin', async () => {
    await withFakeApi('v5.channel.k8s.io', async (kc, seen) => {
      const r = await execInPod(kc, 'ns', 'pod', 'probe', ['/agent', 'version'], 2_000);
      expect(r.exitCode).to.equal(0);
      expect(seen[0]!.url).to.contain('stdin=false');
    });
  });

  it('an API server without v5.channel.k8s.io: a clear error, and nothing sent', async () => {
    await withFakeApi('v4.channel.k8s.io', async (kc, seen) => {
      const r = await execInPod(kc, 'ns', 'pod', 'probe', ['/agent', 'probe', '--batch', '-'], 10_000, '{"probes":[]}');
      expect(r.exitCode).to.equal(-1);
      expect(r.error).to.equal("the API server cannot close an exec's stdin (protocol v4.channel.k8s.io; needs v5.channel.k8s.io, Kubernetes 1.30 or later)");
      expect(seen[0]!.stdin.length).to.equal(0);
    });
  });
});
