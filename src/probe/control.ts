// Control probes from netprobe's own machine to destinations outside the cluster: when the host
// answers here, a timeout from inside the cluster means blocked, not dead.
import dgram from 'node:dgram';
import net from 'node:net';
import type { L4 } from '../plan/types.ts';

export async function controlProbe(host: string, port: number, l4: L4, timeoutMs: number): Promise<boolean> {
  if (l4 === 'tcp') return tcpAnswers(host, port, timeoutMs);
  if (l4 === 'udp') return udpAnswers(host, port, timeoutMs);
  return false;
}

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function udpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean) {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    }
    socket.once('message', () => done(true));
    socket.once('error', () => done(false));
    socket.send(Buffer.from('netprobe-control'), port, host);
  });
}
