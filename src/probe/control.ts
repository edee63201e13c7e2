// Control probes from netprobe's own machine to destinations outside the cluster: when the host
// answers here, a timeout from inside the cluster means blocked, not dead. Only outside hosts may vouch:
// a name is resolved here first, and refused if any of its addresses is loopback, link-local or the
// cluster's own (netprobe's machine may be a node, where pod traffic never meets a policy).
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { whyNotOutside, type ClusterAddresses } from '../plan/cluster-addresses.ts';
import type { L4 } from '../plan/types.ts';

export async function controlProbe(host: string, port: number, l4: L4, timeoutMs: number, inside: ClusterAddresses): Promise<boolean> {
  return (await controlProbeAddress(host, port, l4, timeoutMs, inside)) !== undefined;
}

/** The address that answered the control probe (a name resolved here), or undefined when none did. */
export async function controlProbeAddress(host: string, port: number, l4: L4, timeoutMs: number, inside: ClusterAddresses): Promise<string | undefined> {
  const address = await outsideAddress(host, inside);
  if (address === undefined) return undefined;
  const answers = l4 === 'tcp' ? await tcpAnswers(address, port, timeoutMs) : l4 === 'udp' ? await udpAnswers(address, port, timeoutMs) : false;
  return answers ? address : undefined;
}

/** The address to probe for `host`, or undefined when it (or any address its name resolves to) is not outside. */
async function outsideAddress(host: string, inside: ClusterAddresses): Promise<string | undefined> {
  const addresses = net.isIP(host) ? [host] : await lookup(host, { all: true }).then((r) => r.map((a) => a.address), () => []);
  if (addresses.length === 0 || addresses.some((a) => whyNotOutside(a, inside) !== undefined)) return undefined;
  return addresses[0];
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

/** A connected socket: the kernel delivers only datagrams from the target's own address and port. */
function udpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean) {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    }
    socket.once('message', (_msg, rinfo) => done(rinfo.address === host && rinfo.port === port));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => socket.send(Buffer.from('netprobe-control')));
  });
}
