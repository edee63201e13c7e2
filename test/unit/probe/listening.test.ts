// --verify-targets: a target pod's listening TCP sockets, read from /proc/net/tcp and /proc/net/tcp6 in
// its network namespace. Which sockets take connections from other machines.
import { expect } from 'chai';
import { listensOn, parseSocketTables } from '../../../src/probe/listening.ts';

// The kernel's format: addresses as 32-bit words in little-endian byte order, ports big-endian, st 0A = LISTEN.
const TABLES = `== tcp
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 1366 1 0000000000000000 100 0 0 10 0
   1: 0100007F:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 1367 1 0000000000000000 100 0 0 10 0
   2: 0700F40A:1538 0500F40A:D2F0 01 00000000:00000000 00:00000000 00000000 65532        0 1368 1 0000000000000000 20 4 30 10 -1
   3: 0700F40A:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 1369 1 0000000000000000 100 0 0 10 0
== tcp6
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 65532 0 1370 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000700F40A:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 65532 0 1371 1 0000000000000000 100 0 0 10 0
   2: 00000000000000000000000001000000:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 65532 0 1372 1 0000000000000000 100 0 0 10 0
`;

describe('--verify-targets: reading the socket tables', () => {
  const sockets = parseSocketTables(TABLES);

  it('keeps listening sockets only, with their addresses decoded', () => {
    expect(sockets).to.deep.equal([
      { address: '0.0.0.0', port: 8080 },
      { address: '127.0.0.1', port: 9090 },
      { address: '10.244.0.7', port: 80 },
      { address: '::', port: 8081 },
      { address: '::ffff:10.244.0.7', port: 443 },
      { address: '0:0:0:0:0:0:0:1', port: 8082 },
    ]);
  });

  it('a listener on a wildcard address, on the pod address, or on :: (IPv4 too) takes connections from other machines', () => {
    for (const port of [8080, 80, 8081, 443]) expect(listensOn(sockets, '10.244.0.7', port), String(port)).to.equal(true);
    expect(listensOn(sockets, 'fd00::7', 8081)).to.equal(true);
  });

  it('one on loopback only does not (a connection from outside is reset, as with nothing there); nor an established connection, nor another address', () => {
    expect(listensOn(sockets, '10.244.0.7', 9090)).to.equal(false);
    expect(listensOn(sockets, '10.244.0.7', 8082)).to.equal(false);
    expect(listensOn(sockets, '10.244.0.7', 5432)).to.equal(false);
    expect(listensOn(sockets, '10.244.0.8', 80)).to.equal(false);
    expect(listensOn(sockets, '10.244.0.7', 8443)).to.equal(false);
  });

  it('a missing table or noise is no socket', () => {
    expect(parseSocketTables('== tcp\n== tcp6\ncat: can\'t open\n')).to.deep.equal([]);
  });
});

