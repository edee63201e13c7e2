// Control probes from netprobe's own machine vouch only for outside hosts (issue 10): never for loopback,
// link-local, or the cluster's pod and Service addresses; and a UDP reply counts only from the target.
import { expect } from 'chai';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { clusterAddresses } from '../../../src/plan/cluster-addresses.ts';
import { buildPlan } from '../../../src/plan/plan.ts';
import { controlProbe } from '../../../src/probe/control.ts';
import { casesOf, pod, service, snapshot } from '../support/world.ts';

const WEB = `{namespace: shop, podSelector: {matchLabels: {app: web}}}`;

describe('control probes: only outside hosts', () => {
  const world = () => {
    const s = snapshot(['shop'], {
      pods: [pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.100'] }), pod('shop', 'db-0', { app: 'db' }, { ips: ['10.1.0.1'] })],
      services: [service('shop', 'db', { app: 'db' }, [{ port: 5432, targetPort: 5432, protocol: 'TCP' }], '10.96.5.5')],
    });
    s.network = { podCIDRs: [{ node: 'n1', cidr: '10.244.0.0/24' }], serviceCIDRs: ['10.112.0.0/12'], kubernetesServiceIP: '10.112.0.1' };
    return s;
  };
  const planTo = (hosts: string[]) =>
    buildPlan(casesOf(`  expectations:\n${hosts.map((h, i) => `    - {name: c${i}, from: ${WEB}, to: {host: "${h}"}, port: 443, expect: deny}`).join('\n')}\n`), world());

  it('refuses loopback, link-local, pod IPs, ClusterIPs, node pod ranges and Service ranges', () => {
    const inside = ['127.0.0.1', '127.9.9.9', '::1', '169.254.169.254', 'fe80::1', '::ffff:127.0.0.1', '10.1.0.1', '10.96.5.5', '10.244.0.77', '10.112.3.4', '10.112.0.1'];
    const plan = planTo(inside);
    expect(plan.controlHosts).to.deep.equal([]);
    // The probes themselves still run from the pod: only the vouching is refused.
    expect(plan.probes).to.have.length(inside.length);
  });

  it('keeps an outside address, and a name (checked once resolved)', () => {
    const plan = planTo(['203.0.113.10', 'external.netprobe.test']);
    expect(plan.controlHosts.map((h) => h.host)).to.deep.equal(['203.0.113.10', 'external.netprobe.test']);
  });

  it('the plan carries what is inside the cluster, for names resolved at run time', () => {
    const plan = planTo(['203.0.113.10']);
    expect(plan.insideCluster.addresses['10.1.0.1']).to.equal('the IP of pod shop/db-0');
    expect(plan.insideCluster.ranges.map((r) => r.cidr)).to.include.members(['10.244.0.0/24', '10.112.0.0/12']);
  });
});

describe('controlProbe', () => {
  // Nothing counted as inside, so that the mechanics can be tested on loopback.
  const outside = { ranges: [], addresses: {} };

  /** A UDP server on loopback that answers from another socket (another port): not the target's reply. */
  async function udpServer(answerFromElsewhere: boolean): Promise<{ port: number; close: () => void }> {
    const server = dgram.createSocket('udp4');
    const other = dgram.createSocket('udp4');
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => other.bind(0, '127.0.0.1', () => r()));
    server.on('message', (msg, rinfo) => (answerFromElsewhere ? other : server).send(msg, rinfo.port, rinfo.address));
    return { port: (server.address() as AddressInfo).port, close: () => (server.close(), other.close()) };
  }

  it('a UDP reply counts only when it comes from the target address and port', async () => {
    const honest = await udpServer(false);
    const liar = await udpServer(true);
    try {
      expect(await controlProbe('127.0.0.1', honest.port, 'udp', 1000, outside)).to.equal(true);
      expect(await controlProbe('127.0.0.1', liar.port, 'udp', 500, outside)).to.equal(false);
    } finally {
      honest.close();
      liar.close();
    }
  });

  it('a name that resolves inside the cluster (or to loopback) is not probed at all', async () => {
    const server = await udpServer(false);
    try {
      // "localhost" answers here, but it is loopback: with any real scope it must not vouch.
      expect(await controlProbe('localhost', server.port, 'udp', 500, outside)).to.equal(true);
      expect(await controlProbe('localhost', server.port, 'udp', 500, clusterAddresses(snapshot([])))).to.equal(false);
      expect(await controlProbe('127.0.0.1', server.port, 'udp', 500, { ranges: [], addresses: { '127.0.0.1': 'the IP of pod x/y' } })).to.equal(false);
    } finally {
      server.close();
    }
  });
});
