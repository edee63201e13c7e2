// The corpus of broken inputs under test/fixtures/bad/: each must produce a diagnostic at the exact
// line:col with the message fragment below (and nothing may throw).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSuites } from '../../../src/suite/index.ts';
import { formatDiagnostic } from '../../../src/suite/diagnostics.ts';

const DIR = 'test/fixtures/bad';

/** [path under test/fixtures/bad, line:col, fragment of the message] */
const CORPUS: [string, string, string][] = [
  // unknown keys, with suggestions
  ['unknown-key-typo.yaml', '13:7', 'unknown key `expcet` in expectation; did you mean `expect`?'],
  ['unknown-key-top.yaml', '11:3', 'unknown key `extra` in spec; expected one of `defaults`, `endpoints` or `expectations`'],
  ['peer-no-kind.yaml', '11:11', 'found a mapping without any of `podSelector`'],
  ['peer-two-kinds.yaml', '11:31', 'a peer has both `host` and `cidr`'],
  // wrong types and values
  ['wrong-type-port.yaml', '10:33', 'port: found a list, expected a port number 1-65535, a named port, or a range'],
  ['wrong-type-tags.yaml', '10:59', 'tags: found string "smoke", expected a list of tags'],
  ['wrong-expect.yaml', '10:47', 'found `Deny`, expected one of `allow` or `deny`; did you mean `deny`?'],
  ['timeout-string.yaml', '6:30', 'timeoutSeconds: found string "2s", expected a number of seconds'],
  ['not-a-mapping.yaml', '1:1', 'document: found a list, expected a mapping (suite)'],
  ['bad-workload-kind.yaml', '7:45', 'found `deployment`, expected one of `Deployment`'],
  ['bad-namespace-name.yaml', '7:22', 'namespace: found string "Shop_Prod", expected a namespace name'],
  ['missing-expect-and-from.yaml', '10:7', 'missing required key `from`'],
  ['empty-expectations.yaml', '9:17', 'expectations: found an empty list'],
  // endpoints
  ['unknown-endpoint.yaml', '10:13', 'from: unknown endpoint `wbe`; did you mean `web`?'],
  ['peer-no-namespace.yaml', '7:10', 'peer has no namespace; expected `namespace:` on the peer or `spec.defaults.namespace`'],
  // ports
  ['port-out-of-range.yaml', '10:33', 'port: found 70000, expected a port number 1-65535'],
  ['port-zero-in-list.yaml', '10:39', 'ports[1]: found 0, expected a port number 1-65535'],
  ['range-backwards.yaml', '10:35', 'port range 9000-8000 runs backwards; expected low-high like 8000-9000'],
  ['range-out-of-bounds.yaml', '10:33', 'port 70000 in range 65000-70000 is outside 1-65535'],
  ['quoted-port.yaml', '10:33', 'port "5432" is a quoted number; expected a number without quotes'],
  ['port-and-ports.yaml', '13:7', '`port` and `ports` cannot both be set'],
  ['missing-port.yaml', '10:7', 'missing `port` or `ports`; expected the destination port for TCP'],
  ['duplicate-port.yaml', '10:44', 'port 80 is listed twice (first at 10:35)'],
  ['named-port-on-host.yaml', '12:13', 'named port `https` cannot be resolved for a host peer'],
  ['url-with-port.yaml', '12:7', '`port` cannot be used with url peers'],
  ['url-credentials.yaml', '10:17', 'url: URL "https://<redacted>@api.shop.svc/health?token=<redacted>" contains credentials'],
  // header values: control characters would split the request; the value (often a credential) is never shown
  ['header-crlf.yaml', '15:34', 'Authorization: header value contains a carriage return (CR) at character 19; expected no control characters'],
  ['header-number.yaml', '15:30', 'X-Api-Key: found a number, expected a header value without control characters; quote it if you mean the string'],
  ['header-block-scalar.yaml', '13:22', 'X-Api-Key: header value contains a line feed (LF) at character 13; expected no control characters (a CR or LF would end the header and start another); a YAML block scalar `|` ends with a line feed, `|-` does not'],
  // addresses
  ['bad-cidr.yaml', '8:18', 'CIDR "10.0.0.0/33" has prefix length "33"; expected 0-32'],
  ['cidr-host-bits.yaml', '8:18', 'has host bits set; expected the network address 192.168.1.0/24'],
  ['bad-ip.yaml', '8:18', '"300.1.2.3" is not a valid IPv4 address'],
  ['host-with-port.yaml', '11:18', 'host "example.com:443" includes a port'],
  // labels and selectors
  ['bad-label-key.yaml', '7:56', 'label key "-app" is not valid'],
  ['bad-label-value.yaml', '7:61', 'label value "web server" is not valid'],
  ['label-value-number.yaml', '7:65', 'found number 2, expected a label value (at most 63 letters, digits, `-`, `_` or `.`); quote it'],
  ['selector-in-without-values.yaml', '11:13', 'missing `values`, required when operator is In'],
  ['selector-exists-with-values.yaml', '13:13', '`values` is not allowed when operator is Exists'],
  ['selector-bad-operator.yaml', '11:34', 'found `Equals`, expected one of `In`, `NotIn`, `Exists` or `DoesNotExist`'],
  // protocol and peer combinations
  ['url-with-udp.yaml', '12:17', 'protocol: found UDP with a url peer in `to`; expected HTTP or HTTPS'],
  ['https-url-with-http.yaml', '12:17', 'found HTTP but a url peer is an https:// URL; expected HTTPS'],
  ['cidr-as-source.yaml', '10:13', 'a cidr peer cannot be a source'],
  ['ephemeral-destination.yaml', '10:23', 'to: endpoint `db` (a pod peer) has ephemeral: true, which only applies to a source'],
  ['synthetic-contradiction.yaml', '9:127', 'synthetic: true needs a podSelector that names labels a stand-in can carry (matchLabels, In or Exists, not contradicting each other)'],
  ['ephemeral-and-synthetic.yaml', '8:88', 'ephemeral: true probes from inside a running pod, synthetic: true from a stand-in; expected one of them'],
  ['dnsname-without-dns.yaml', '13:7', '`dnsName` is only allowed when protocol is DNS; protocol is not set (default TCP)'],
  ['http-with-tcp.yaml', '13:7', '`http` is only allowed when protocol is HTTP or HTTPS'],
  // document identity
  ['wrong-api-version.yaml', '1:13', 'apiVersion: found `netprobe.dev/v1`, expected `netprobe.dev/v1alpha1`'],
  ['wrong-kind.yaml', '2:7', 'kind: found `NetworkPolicy`, expected `ConnectivitySuite`'],
  // files
  ['empty.yaml', '1:1', 'file is empty (no YAML documents)'],
  ['comments-only.yaml', '1:1', 'file is empty (no YAML documents)'],
  ['syntax-error.yaml', '12:7', 'YAML syntax error: Flow sequence in block collection must be sufficiently indented'],
  ['duplicate-yaml-key.yaml', '14:7', 'duplicate key `port`; expected each key once per mapping'],
  ['not-utf8.yaml', '10:68', 'invalid UTF-8 (byte 0xe9)'],
  ['binary.yaml', '3:1', 'binary data (a NUL byte)'],
  ['utf16.yaml', '1:1', 'file is UTF-16 encoded; expected UTF-8'],
  ['no-yaml-here', '1:1', 'folder holds no .yaml or .yml files'],
  ['does-not-exist.yaml', '1:1', 'no such file or folder'],
  // names across the run: both places are named
  ['duplicate-names', '15:7', 'duplicate expectation name "db is closed"; first defined at test/fixtures/bad/duplicate-names/a.yaml:10:7'],
  ['duplicate-names', '10:7', 'expectation name "db is closed" is used again at test/fixtures/bad/duplicate-names/b.yaml:15:7'],
];

describe('bad suite files', () => {
  for (const [file, at, fragment] of CORPUS) {
    it(`${file} -> ${at}: ${fragment}`, async () => {
      const { diagnostics, suites } = await loadSuites([path.join(DIR, file)]);
      const lines = diagnostics.map(formatDiagnostic);
      const hit = lines.find((l) => l.includes(`:${at}: `) && l.includes(fragment));
      expect(hit, `no diagnostic at ${at} containing ${JSON.stringify(fragment)}; got:\n${lines.join('\n')}`).to.not.equal(undefined);
      expect(hit!.split('\n')).to.have.length(1);
      const named = file.startsWith('duplicate-names') ? 'duplicate-names/' : file;
      expect(hit!.startsWith(path.join(DIR, named))).to.equal(true);
      if (!file.startsWith('duplicate-names')) expect(suites).to.have.length(0);
    });
  }

  it('covers every fixture in the folder', async () => {
    const { readdirSync } = await import('node:fs');
    const listed = new Set(CORPUS.map(([f]) => f));
    const missing = readdirSync(DIR).filter((f) => !listed.has(f) && f !== 'many-errors.yaml');
    expect(missing).to.deep.equal([]);
  });

  it('never shows a header value or URL credentials in a diagnostic', async () => {
    for (const [file, secret] of [['header-crlf.yaml', 'SECRET'], ['header-block-scalar.yaml', 'SECRET'], ['url-credentials.yaml', 'SECRET'], ['header-number.yaml', '73217654321']] as const) {
      const { diagnostics } = await loadSuites([path.join(DIR, file)]);
      expect(diagnostics).to.have.length(1);
      expect(diagnostics.map(formatDiagnostic).join('\n')).not.to.contain(secret);
    }
  });

  it('a misspelt key is reported once, not also as a missing one', async () => {
    const { diagnostics } = await loadSuites([path.join(DIR, 'unknown-key-typo.yaml')]);
    expect(diagnostics.map(formatDiagnostic)).to.deep.equal(['test/fixtures/bad/unknown-key-typo.yaml:13:7: unknown key `expcet` in expectation; did you mean `expect`?']);
  });

  it('reports every problem in a file, not just the first', async () => {
    const { diagnostics } = await loadSuites([path.join(DIR, 'many-errors.yaml')]);
    expect(diagnostics.map((d) => `${d.line}:${d.col}`)).to.deep.equal(['10:13', '12:13', '13:17', '14:7']);
  });

  it('refuses a huge file with one line, without reading it as YAML', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netprobe-'));
    try {
      const file = path.join(dir, 'huge.yaml');
      writeFileSync(file, `# ${'x'.repeat(6 * 1024 * 1024)}\n`);
      const { diagnostics } = await loadSuites([file]);
      expect(diagnostics.map(formatDiagnostic)).to.deep.equal([`${file}:1:1: file is 6 MiB; expected at most 5 MiB for a suite file`]);
      const small = await loadSuites([file], { maxFileBytes: 1024 });
      expect(small.diagnostics[0]!.message).to.match(/expected at most 1 KiB/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
