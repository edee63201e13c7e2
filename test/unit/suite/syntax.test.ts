import { expect } from 'chai';
import { checkCidr, checkHost, checkLabelKey, checkLabelValue, checkPortString, checkUrl } from '../../../src/suite/syntax.ts';
import { firstInvalidUtf8 } from '../../../src/suite/load.ts';
import { editDistance, suggest } from '../../../src/suite/diagnostics.ts';

describe('value syntax', () => {
  it('label keys and values follow Kubernetes rules', () => {
    for (const ok of ['app', 'app.kubernetes.io/name', 'a', 'A_b-c.d', 'example.com/x']) expect(checkLabelKey(ok), ok).to.equal(undefined);
    for (const bad of ['-app', 'app-', '/x', 'Example.com/x', 'a/b/c', 'x'.repeat(64), 'a b', '']) expect(checkLabelKey(bad), bad).to.be.a('string');
    for (const ok of ['', 'web', 'v1.2_3', 'x'.repeat(63)]) expect(checkLabelValue(ok), ok).to.equal(undefined);
    for (const bad of ['-web', 'web-', 'a b', 'x'.repeat(64), 'a/b']) expect(checkLabelValue(bad), bad).to.be.a('string');
  });

  it('CIDRs: v4 and v6, prefix bounds, host bits', () => {
    for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '192.168.1.7/32', '2001:db8::/32', '::/0', 'fd00::1/128', '::ffff:10.0.0.0/104'])
      expect(checkCidr(ok), ok).to.equal(undefined);
    expect(checkCidr('10.0.0.1/8')).to.match(/expected the network address 10\.0\.0\.0\/8/);
    expect(checkCidr('2001:db8::1/32')).to.match(/expected the network address 2001:db8::\/32/);
    expect(checkCidr('10.0.0.0/33')).to.match(/expected 0-32/);
    expect(checkCidr('10.0.0.0')).to.match(/no prefix length; expected 10\.0\.0\.0\/32/);
    expect(checkCidr('10.0.0/8')).to.match(/invalid address/);
    expect(checkCidr('nonsense')).to.match(/is not a CIDR/);
  });

  it('hosts: IPs or DNS names', () => {
    for (const ok of ['203.0.113.10', '::1', 'example.com', 'kubernetes.default.svc.cluster.local.', 'My-Host']) expect(checkHost(ok), ok).to.equal(undefined);
    for (const bad of ['300.1.1.1', 'a..b', '-x.com', 'http://x', 'x.com:80', 'a_b.com']) expect(checkHost(bad), bad).to.be.a('string');
  });

  it('port strings: names and ranges', () => {
    for (const ok of ['http', 'http-alt', 'h2c', '1-65535', '8000-8080']) expect(checkPortString(ok), ok).to.equal(undefined);
    expect(checkPortString('80')).to.match(/quoted number/);
    expect(checkPortString('0-10')).to.match(/outside 1-65535/);
    expect(checkPortString('10-1')).to.match(/runs backwards/);
    expect(checkPortString('80 - 90')).to.match(/has spaces/);
    for (const bad of ['HTTP', 'a--b', '-a', 'abcdefghijklmnop', '123']) expect(checkPortString(bad), bad).to.be.a('string');
  });

  it('URLs: http(s) with a host, no credentials', () => {
    expect(checkUrl('http://a.b:8080/x?y=1')).to.equal(undefined);
    expect(checkUrl('ftp://a')).to.match(/expected http or https/);
    expect(checkUrl('not a url')).to.match(/is not a URL/);
    expect(checkUrl('http://u:p@a/')).to.match(/credentials/);
  });

  it('UTF-8 validation finds the first bad byte', () => {
    const enc = new TextEncoder();
    expect(firstInvalidUtf8(enc.encode('héllo ✓ 😀'))).to.equal(-1);
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xe9, 0x62]))).to.equal(1);
    expect(firstInvalidUtf8(Uint8Array.from([0xc0, 0x80]))).to.equal(0);
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).to.equal(0);
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xe2, 0x82]))).to.equal(1);
  });

  it('suggestions catch typos and case slips, not unrelated words', () => {
    expect(editDistance('expcet', 'expect')).to.equal(1);
    expect(suggest('expcet', ['expect', 'from', 'to'])).to.equal('expect');
    expect(suggest('podselector', ['podSelector', 'host'])).to.equal('podSelector');
    expect(suggest('colour', ['expect', 'from'])).to.equal(undefined);
  });
});
