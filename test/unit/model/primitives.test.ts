import { expect } from 'chai';
import { cidrContains, firstAddress, ipBlockMatches, parseCIDR, parseIP } from '../../../src/model/cidr.ts';
import { effectivePolicyTypes } from '../../../src/policy/compile.ts';
import { formatPolicyPort, policyPortMatches, resolveNamedPort } from '../../../src/policy/ports.ts';
import { formatSelector, matchesSelector } from '../../../src/model/selectors.ts';
import type { LabelSelector } from '../../../src/model/selectors.ts';
import type { PodInfo } from '../../../src/model/cluster.ts';
import { np } from '../policy/world.ts';

describe('policy selectors', () => {
  const labels = { app: 'web', tier: 'front' };
  const table: Array<[LabelSelector, boolean, string]> = [
    [{}, true, 'the empty selector selects everything'],
    [{ matchLabels: {} , matchExpressions: [] }, true, 'empty lists select everything'],
    [{ matchLabels: { app: 'web' } }, true, 'one label present'],
    [{ matchLabels: { app: 'web', tier: 'back' } }, false, 'matchLabels are ANDed'],
    [{ matchLabels: { missing: '' } }, false, 'an empty value still needs the key'],
    [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, true, 'In'],
    [{ matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, false, 'In with no values matches nothing'],
    [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }, true, 'NotIn'],
    [{ matchExpressions: [{ key: 'nope', operator: 'NotIn', values: ['x'] }] }, true, 'NotIn on a missing key holds'],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true, 'Exists'],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false, 'DoesNotExist'],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false, 'labels AND expressions'],
  ];
  for (const [sel, want, why] of table) {
    it(`${formatSelector(sel)}: ${want} (${why})`, () => expect(matchesSelector(sel, labels)).to.equal(want));
  }
  it('formats selectors like kubectl', () => {
    expect(
      formatSelector({
        matchLabels: { a: 'b' },
        matchExpressions: [
          { key: 'c', operator: 'In', values: ['1', '2'] },
          { key: 'd', operator: 'NotIn', values: ['3'] },
          { key: 'e', operator: 'Exists' },
          { key: 'f', operator: 'DoesNotExist' },
        ],
      }),
    ).to.equal('a=b,c in (1,2),d notin (3),e,!f');
  });
  it('does not read inherited properties as labels', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {})).to.equal(false);
  });
});

describe('policy CIDR', () => {
  const table: Array<[string, string, boolean]> = [
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['0.0.0.0/0', '1.2.3.4', true],
    ['192.168.1.7/32', '192.168.1.7', true],
    ['192.168.1.7', '192.168.1.7', true],
    ['192.168.1.0/25', '192.168.1.128', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::', false],
    ['::/0', '::1', true],
    ['fd00::/8', 'fd12:3456:789a:1::1', true],
    ['::ffff:0:0/96', '::ffff:10.0.0.1', true],
    ['0.0.0.0/0', '::ffff:10.0.0.1', false],
    ['2001:db8::1/128', '2001:0db8:0000:0000:0000:0000:0000:0001', true],
  ];
  for (const [cidr, ip, want] of table) {
    it(`${cidr} ${want ? 'contains' : 'does not contain'} ${ip}`, () => expect(cidrContains(cidr, ip)).to.equal(want));
  }
  it('rejects malformed addresses and prefixes', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '1.2.3.4.5', 'a::b::c', '1:2:3:4:5:6:7:8:9', 'x', '']) {
      expect(parseIP(bad), bad).to.equal(undefined);
    }
    expect(parseCIDR('10.0.0.0/33')).to.equal(undefined);
    expect(parseCIDR('::/129')).to.equal(undefined);
    expect(parseCIDR('10.0.0.0/x')).to.equal(undefined);
  });
  it('applies except and names a first address', () => {
    expect(ipBlockMatches({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, '10.1.2.3')).to.equal(false);
    expect(ipBlockMatches({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, '10.2.2.3')).to.equal(true);
    expect(firstAddress('10.1.2.3/16')).to.equal('10.1.0.0');
    expect(firstAddress('2001:db8::5/64')).to.equal('2001:db8:0:0:0:0:0:0');
  });
});

describe('policy ports', () => {
  const pod: PodInfo = {
    namespace: 'n',
    name: 'p',
    labels: {},
    ips: [],
    containerPorts: [{ name: 'web', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
  };
  it('resolves named ports per protocol', () => {
    expect(resolveNamedPort(pod, 'web', 'TCP')).to.equal(8080);
    expect(resolveNamedPort(pod, 'web', 'UDP')).to.equal(undefined);
    expect(resolveNamedPort(pod, 'dns', 'UDP')).to.equal(53);
  });
  it('matches entries', () => {
    const tcp = (port: number) => ({ port, protocol: 'TCP' as const, destination: pod });
    expect(policyPortMatches({}, tcp(1))).to.equal(true);
    expect(policyPortMatches({ protocol: 'UDP' }, tcp(1))).to.equal(false);
    expect(policyPortMatches({ port: 'web' }, tcp(8080))).to.equal(true);
    expect(policyPortMatches({ port: '8080' }, tcp(8080))).to.equal(true);
    expect(policyPortMatches({ port: 'web' }, { port: 8080, protocol: 'TCP' })).to.equal(false);
    expect(policyPortMatches({ port: 10, endPort: 20 }, tcp(20))).to.equal(true);
    expect(formatPolicyPort({ port: 10, endPort: 20, protocol: 'SCTP' })).to.equal('10-20/SCTP');
    expect(formatPolicyPort({})).to.equal('any/TCP');
  });
});

describe('policyTypes defaulting', () => {
  const table: Array<[Parameters<typeof np>[2], boolean, boolean, string]> = [
    [{}, true, false, 'no rules: Ingress only'],
    [{ ingress: [{}] }, true, false, 'ingress rules: Ingress only'],
    [{ egress: [{}] }, true, true, 'egress rules: Ingress and Egress'],
    [{ egress: [] }, true, false, 'an empty egress list is no egress rule'],
    [{ policyTypes: ['Egress'] }, false, true, 'explicit Egress only'],
    [{ policyTypes: [], egress: [{}] }, true, true, 'an empty list is defaulted'],
  ];
  for (const [spec, ing, eg, why] of table) {
    it(why, () => {
      const t = effectivePolicyTypes(np('n', 'p', spec));
      expect([t.Ingress, t.Egress]).to.deep.equal([ing, eg]);
    });
  }
});
