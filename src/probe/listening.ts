// --verify-targets: a target pod's listening TCP sockets, read from /proc/net/tcp and /proc/net/tcp6 in
// its network namespace (an ephemeral container shares it), with no traffic. Pure: text in, sockets out.
import { parseIP } from '../model/cidr.ts';

/** The shell script the ephemeral container runs: each table after a `== NAME` line (a missing one is empty). */
export const SOCKET_TABLES_SCRIPT = 'for f in tcp tcp6; do echo "== $f"; cat /proc/net/$f 2>/dev/null; done';

export interface ListeningSocket {
  /** The local address as text: `0.0.0.0`, `::`, `10.244.0.7`, `::ffff:10.244.0.7`. */
  address: string;
  port: number;
}

/** TCP_LISTEN in the kernel's state numbering (include/net/tcp_states.h). */
const LISTEN = '0A';

/** A /proc/net address field: 32-bit words in the kernel's (little-endian) byte order, as hex. */
function addressText(hex: string): string | undefined {
  if (hex.length !== 8 && hex.length !== 32) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  if (bytes.some((b) => Number.isNaN(b))) return undefined;
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The shortest form is not needed: parseIP reads this one, and `::` alone is special-cased below.
  return groups.every((g) => g === '0') ? '::' : groups.join(':');
}

/** The listening sockets in the output of SOCKET_TABLES_SCRIPT (lines that are not table rows are skipped). */
export function parseSocketTables(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // "sl local_address rem_address st ...": row lines start with "N:".
    if (f.length < 4 || !/^\d+:$/.test(f[0]!) || f[3] !== LISTEN) continue;
    const [addrHex, portHex] = f[1]!.split(':');
    const address = addrHex === undefined ? undefined : addressText(addrHex);
    const port = parseInt(portHex ?? '', 16);
    if (address !== undefined && Number.isInteger(port)) out.push({ address, port });
  }
  return out;
}

/**
 * Whether a socket accepts connections to `ip:port` from another machine: it listens on that port on a
 * wildcard address or on `ip` itself (IPv4 also through `::`, which takes IPv4 unless the socket is
 * IPV6_V6ONLY, or an IPv4-mapped `::ffff:ip`). A socket on loopback only does not: a connection from
 * outside would be reset, exactly as with nothing listening.
 */
export function listensOn(sockets: readonly ListeningSocket[], ip: string, port: number): boolean {
  const v4 = parseIP(ip)?.family === 4;
  return sockets.some((s) => {
    if (s.port !== port) return false;
    if (s.address === ip || s.address === '::') return true;
    if (v4) return s.address === '0.0.0.0' || s.address === `::ffff:${ip}`;
    return sameV6(s.address, ip);
  });
}

function sameV6(a: string, b: string): boolean {
  const x = parseIP(a);
  const y = parseIP(b);
  return x !== undefined && y !== undefined && x.family === 6 && y.family === 6 && x.value === y.value;
}
