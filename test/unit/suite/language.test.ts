import { expect } from 'chai';
import { check, spec, valid } from './helpers.ts';

const ISSUE_EXAMPLE = `apiVersion: netprobe.dev/v1alpha1
kind: ConnectivitySuite
metadata:
  name: payments
spec:
  defaults: {timeoutSeconds: 2, attempts: 2}
  endpoints:                      # named, reusable peers
    frontend: {namespace: payments, podSelector: {matchLabels: {app: frontend}}}
    db:       {namespace: payments, podSelector: {matchLabels: {app: postgres}}}
    internet: {host: 203.0.113.10}
  expectations:
    - name: frontend must not reach the database
      from: frontend              # an endpoint name or an inline peer; a list means every combination
      to: db
      port: 5432                  # a number, a named port, or \`ports:\` with several (ranges too)
      protocol: TCP               # TCP (default), UDP, SCTP, HTTP, HTTPS, DNS
      expect: deny                # allow | deny
`;

describe('suite language', () => {
  it('accepts the core example of the issue exactly as written', () => {
    const suite = valid(ISSUE_EXAMPLE);
    expect(suite.name).to.equal('payments');
    const [e] = suite.expectations;
    expect(e).to.deep.include({ name: 'frontend must not reach the database', suite: 'payments', protocol: 'TCP', expect: 'deny', timeoutSeconds: 2, attempts: 2, tags: [] });
    expect(e!.from).to.have.length(1);
    expect(e!.from[0]!.label).to.equal('frontend');
    expect(e!.from[0]!.peer).to.deep.equal({ kind: 'pods', namespace: 'payments', podSelector: { matchLabels: { app: 'frontend' } } });
    expect(e!.to[0]!.peer).to.deep.equal({ kind: 'pods', namespace: 'payments', podSelector: { matchLabels: { app: 'postgres' } } });
    expect(e!.ports).to.deep.equal([{ kind: 'number', port: 5432 }]);
    expect(e!.pos).to.deep.equal({ file: 't.yaml', line: 12, col: 7 });
    expect(e!.from[0]!.pos).to.deep.equal({ file: 't.yaml', line: 13, col: 13 });
  });

  it('applies defaults: TCP, 2 s, 2 attempts, spec.defaults overrides, per-expectation overrides', () => {
    const suite = valid(
      spec(`
  defaults: {timeoutSeconds: 0.5, attempts: 3, namespace: shop}
  expectations:
    - {from: {podSelector: {}}, to: {host: example.com}, port: 80, expect: allow}
    - {from: {podSelector: {}}, to: {host: example.com}, port: 80, expect: deny, timeoutSeconds: 5, attempts: 1, name: x}
`),
    );
    const [a, b] = suite.expectations;
    expect(a).to.deep.include({ protocol: 'TCP', timeoutSeconds: 0.5, attempts: 3 });
    expect(a!.from[0]!.peer).to.deep.equal({ kind: 'pods', namespace: 'shop', podSelector: {} });
    expect(b).to.deep.include({ timeoutSeconds: 5, attempts: 1 });
    const plain = valid(spec(`
  expectations:
    - {from: {namespace: a, podSelector: {}}, to: {host: example.com}, port: 80, expect: allow}
`));
    expect(plain.expectations[0]).to.deep.include({ timeoutSeconds: 2, attempts: 2, protocol: 'TCP' });
  });

  it('reads every peer shape', () => {
    const suite = valid(
      spec(`
  endpoints:
    pods: {namespace: a, podSelector: {matchLabels: {app: x}, matchExpressions: [{key: tier, operator: In, values: [web, api]}, {key: legacy, operator: DoesNotExist}]}, serviceAccount: sa-1}
    deploy: {namespace: a, workload: {kind: Deployment, name: api}}
    sts: {namespace: a, workload: {kind: StatefulSet, name: db}}
    ds: {namespace: a, workload: {kind: DaemonSet, name: agent}}
    pod: {namespace: a, workload: {kind: Pod, name: one}}
    svc: {namespace: a, service: api}
    h4: {host: 203.0.113.10}
    h6: {host: "2001:db8::1"}
    dns: {host: example.com}
    net: {cidr: 10.0.0.0/8}
    net6: {cidr: "2001:db8::/32"}
  expectations:
    - {from: [pods, deploy, sts, ds, pod], to: [svc, h4, h6, dns, net, net6], port: 443, expect: allow}
`),
    );
    const e = suite.expectations[0]!;
    expect(e.from.map((p) => p.peer.kind)).to.deep.equal(['pods', 'workload', 'workload', 'workload', 'workload']);
    expect(e.from[0]!.peer).to.deep.equal({
      kind: 'pods',
      namespace: 'a',
      serviceAccount: 'sa-1',
      podSelector: { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }, { key: 'legacy', operator: 'DoesNotExist' }] },
    });
    expect(e.from[1]!.peer).to.deep.equal({ kind: 'workload', namespace: 'a', workloadKind: 'Deployment', name: 'api' });
    expect(e.to.map((p) => p.peer)).to.deep.equal([
      { kind: 'service', namespace: 'a', name: 'api' },
      { kind: 'host', host: '203.0.113.10' },
      { kind: 'host', host: '2001:db8::1' },
      { kind: 'host', host: 'example.com' },
      { kind: 'cidr', cidr: '10.0.0.0/8' },
      { kind: 'cidr', cidr: '2001:db8::/32' },
    ]);
  });

  it('labels inline peers readably', () => {
    const suite = valid(
      spec(`
  expectations:
    - from: {namespace: a, podSelector: {matchLabels: {app: x, tier: web}, matchExpressions: [{key: env, operator: NotIn, values: [dev]}, {key: canary, operator: Exists}]}}
      to: [{namespace: b, workload: {kind: Deployment, name: api}}, {namespace: b, service: web}, {namespace: c, podSelector: {}}]
      port: 80
      expect: allow
`),
    );
    const e = suite.expectations[0]!;
    expect(e.from[0]!.label).to.equal('a/app=x,tier=web,env notin (dev),canary');
    expect(e.to.map((p) => p.label)).to.deep.equal(['b/deployment/api', 'b/svc/web', 'c/*']);
  });

  it('reads ports: numbers, names, ranges, lists', () => {
    const suite = valid(
      spec(`
  endpoints:
    a: {namespace: a, podSelector: {}}
  expectations:
    - {name: one, from: a, to: a, port: 80, expect: allow}
    - {name: named, from: a, to: a, port: http-alt, expect: allow}
    - {name: range, from: a, to: a, port: 8000-8080, expect: allow}
    - {name: list, from: a, to: a, ports: [53, dns, 30000-32767, 9000-9000], expect: allow}
`),
    );
    expect(suite.expectations.map((e) => e.ports)).to.deep.equal([
      [{ kind: 'number', port: 80 }],
      [{ kind: 'name', name: 'http-alt' }],
      [{ kind: 'range', from: 8000, to: 8080 }],
      [{ kind: 'number', port: 53 }, { kind: 'name', name: 'dns' }, { kind: 'range', from: 30000, to: 32767 }, { kind: 'number', port: 9000 }],
    ]);
  });

  it('reads UDP and SCTP', () => {
    const suite = valid(
      spec(`
  endpoints:
    a: {namespace: a, podSelector: {}}
  expectations:
    - {name: u, from: a, to: a, port: 53, protocol: UDP, expect: allow}
    - {name: s, from: a, to: a, port: 3868, protocol: SCTP, expect: deny}
`),
    );
    expect(suite.expectations.map((e) => e.protocol)).to.deep.equal(['UDP', 'SCTP']);
  });

  it('DNS: asks cluster DNS on port 53 when `to` is absent; dnsName defaults', () => {
    const suite = valid(
      spec(`
  endpoints:
    a: {namespace: a, podSelector: {}}
  expectations:
    - {name: d1, from: a, protocol: DNS, dnsName: example.com, expect: allow}
    - {name: d2, from: a, to: {host: 1.1.1.1}, protocol: DNS, expect: deny}
`),
    );
    const [d1, d2] = suite.expectations;
    expect(d1!.to.map((p) => p.peer)).to.deep.equal([{ kind: 'service', namespace: 'kube-system', name: 'kube-dns' }]);
    expect(d1!.to[0]!.label).to.equal('cluster-dns');
    expect(d1).to.deep.include({ dnsName: 'example.com', ports: [{ kind: 'number', port: 53 }] });
    expect(d2!.dnsName).to.equal('kubernetes.default.svc.cluster.local');
  });

  it('HTTP: url peers set the protocol from the scheme and carry L7 fields', () => {
    const suite = valid(
      spec(`
  endpoints:
    a: {namespace: a, podSelector: {}}
    admin: {url: "https://api.example.com", path: /admin?x=1, method: POST, headers: {X-Token: t}, expectStatus: 403}
  expectations:
    - {name: u1, from: a, to: {url: "http://api.a.svc:8080/health"}, expect: allow}
    - {name: u2, from: a, to: admin, expect: deny}
    - {name: h, from: a, to: {namespace: a, service: web}, protocol: HTTP, http: {path: /ready}, expect: allow}
    - {name: hs, from: a, to: {namespace: a, service: web}, protocol: HTTPS, port: 8443, expect: allow}
`),
    );
    const [u1, u2, h, hs] = suite.expectations;
    expect(u1).to.deep.include({ protocol: 'HTTP', ports: [] });
    expect(u1!.http).to.deep.equal({ method: 'GET', path: '/', headers: {} });
    expect(u2!.protocol).to.equal('HTTPS');
    expect(u2!.to[0]!.peer).to.deep.equal({ kind: 'url', url: 'https://api.example.com/admin?x=1' });
    expect(u2!.http).to.deep.equal({ method: 'POST', path: '/', headers: { 'X-Token': 't' }, expectStatus: 403 });
    expect(h).to.deep.include({ ports: [{ kind: 'number', port: 80 }] });
    expect(h!.http).to.deep.equal({ method: 'GET', path: '/ready', headers: {} });
    expect(hs!.ports).to.deep.equal([{ kind: 'number', port: 8443 }]);
  });

  it('keeps tags (deduplicated), description and synthetic', () => {
    const suite = valid(
      spec(`
  expectations:
    - name: t
      description: why
      tags: [smoke, smoke, team/payments]
      from: {namespace: a, podSelector: {matchLabels: {app: x}}, synthetic: true}
      to: {host: example.com}
      port: 80
      expect: allow
`),
    );
    const e = suite.expectations[0]!;
    expect(e.tags).to.deep.equal(['smoke', 'team/payments']);
    expect(e.description).to.equal('why');
    expect(e.from[0]!.peer).to.deep.include({ synthetic: true });
  });

  it('synthetic takes a selector with expressions: the stand-in carries labels that satisfy it', () => {
    const suite = valid(
      spec(`
  expectations:
    - from: {namespace: a, podSelector: {matchExpressions: [{key: app, operator: In, values: [x, y]}]}, synthetic: true}
      to: {host: example.com}
      port: 80
      expect: allow
`),
    );
    expect(suite.expectations[0]!.from[0]!.peer).to.deep.include({ synthetic: true });
  });

  it('derives a stable name for unnamed expectations, unique within the run', () => {
    const text = spec(`
  endpoints:
    web: {namespace: a, podSelector: {}}
    db: {namespace: a, podSelector: {}}
  expectations:
    - {from: web, to: db, port: 5432, expect: deny}
    - {from: web, to: db, port: 5432, expect: deny, attempts: 1}
    - {from: [web, db], to: {host: example.com}, ports: [80, 443], protocol: TCP, expect: allow}
    - {from: web, protocol: DNS, dnsName: example.com, expect: allow}
`);
    const names = valid(text).expectations.map((e) => e.name);
    expect(names).to.deep.equal([
      'deny web -> db TCP/5432',
      'deny web -> db TCP/5432 #2',
      'allow web + db -> example.com TCP/80+443',
      'allow web -> cluster-dns DNS example.com',
    ]);
    expect(valid(text).expectations.map((e) => e.name)).to.deep.equal(names);
  });

  it('reads several documents per file', () => {
    const doc = (n: string) =>
      spec(`
  expectations:
    - {name: ${n}, from: {namespace: a, podSelector: {}}, to: {host: example.com}, port: 80, expect: allow}
`).replace('name: t', `name: s-${n}`);
    const { suites, errors } = check(`${doc('one')}---\n${doc('two')}---\n`);
    expect(errors).to.deep.equal([]);
    expect(suites.map((s) => s.name)).to.deep.equal(['s-one', 's-two']);
  });

  it('reports all problems of a file, each once, in order', () => {
    const { errors } = check(
      spec(`
  endpoints:
    web: {namespace: a, podSelector: {}}
  expectations:
    - {from: wbe, to: web, port: 0, expect: deny}
    - {from: web, to: web, port: 80, expcet: deny}
    - {from: web, to: web, port: 80, expect: maybe}
`),
    );
    expect(errors).to.have.length(4);
    expect(errors[0]).to.match(/^t\.yaml:9:14: from: unknown endpoint `wbe`/);
    expect(errors[1]).to.match(/^t\.yaml:9:34: port: found 0/);
    expect(errors[2]).to.match(/^t\.yaml:10:38: unknown key `expcet` in expectation; did you mean `expect`\?/);
    expect(errors[3]).to.match(/^t\.yaml:11:46: expect: found `maybe`, expected one of `allow` or `deny`/);
  });

  it('resolves YAML anchors and aliases', () => {
    const suite = valid(
      spec(`
  endpoints:
    web: &web {namespace: a, podSelector: {matchLabels: {app: web}}}
  expectations:
    - {from: *web, to: web, port: 80, expect: allow}
`),
    );
    expect(suite.expectations[0]!.from[0]!.peer).to.deep.include({ kind: 'pods', namespace: 'a' });
  });
});
