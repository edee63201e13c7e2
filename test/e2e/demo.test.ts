// The demo shop on the local cluster: netprobe must find exactly the planted problems and prove the rest.
import { expect } from 'chai';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Report, Result } from '../../src/verdict/model.ts';
import { clusterEnv, leftoverPods, netprobe, readReport, type CliRun } from './support.ts';

describe('e2e: the demo suites on the local cluster', function () {
  let run: CliRun;
  let report: Report;
  const byExpectation = (name: string): Result[] => report.results.filter((r) => r.expectation === name);
  const one = (name: string): Result => {
    const found = byExpectation(name);
    expect(found, `results for "${name}"`).to.have.length(1);
    return found[0]!;
  };

  before(async function () {
    clusterEnv(this);
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'netprobe-demo-')), 'report.json');
    run = await netprobe(['run', 'suites/demo', '-o', `json=${out}`, '--quiet']);
    report = readReport(out);
  });

  it('exits 1 because the planted leak and broken path were found', () => {
    expect(run.code, run.stderr).to.equal(1);
    expect(report.summary).to.include({ leak: 1, broken: 1, inconclusive: 1 });
    expect(report.summary.pass).to.equal(report.summary.total - 3);
  });

  it('finds the OR-form selector leak (worker reaches the cache)', () => {
    const r = one('the worker must not reach the cache');
    expect(r.status).to.equal('leak');
    expect(r.observed).to.equal('allowed');
    expect(r.outcome).to.equal('connected');
    expect(r.reproduce).to.match(/^kubectl run /);
  });

  it('finds the broken path whose egress half is missing (API to cache)', () => {
    const r = one('the API must reach the cache');
    expect(r.status).to.equal('broken');
    expect(r.observed).to.equal('denied');
    expect(['timeout', 'refused', 'unreachable']).to.include(r.outcome);
    expect(r.reproduce).to.contain('-n demo-api');
  });

  it('calls a deny against a workload that does not exist inconclusive, never a pass', () => {
    const r = one('the API must not reach the analytics database');
    expect(r.status).to.equal('inconclusive');
    expect(r.detail).to.contain('app=analytics');
  });

  it('proves default deny, AND-form selectors and cross-namespace rules', () => {
    for (const name of ['web never reaches the database', 'the worker does not reach the database (AND, not OR)', 'the open namespace cannot call the API']) {
      const r = one(name);
      expect(r.status, `${name}: ${r.detail}`).to.equal('pass');
      expect(r.observed).to.equal('denied');
      expect(r.detail).to.match(/target alive/);
    }
    for (const name of ['web calls the API', 'the API reaches the database']) {
      const r = one(name);
      expect(r.status, `${name}: ${r.detail}`).to.equal('pass');
      expect(r.outcome).to.equal('connected');
    }
  });

  it('resolves a named port on the target pods', () => {
    const r = one('web calls the API');
    expect(r.port).to.equal('http');
    expect(r.status, r.detail).to.equal('pass');
  });

  it('probes a Service through its ClusterIP and its pods', () => {
    const r = one('web calls the API through its Service');
    expect(r.status, r.detail).to.equal('pass');
  });

  it('checks an HTTP status at L7', () => {
    const r = one('web gets a 200 from the API over HTTP');
    expect(r.status, r.detail).to.equal('pass');
    expect(r.httpStatus).to.equal(200);
  });

  it('tells UDP allowed from UDP denied, with the target shown alive', () => {
    const allowed = one('the API sends metrics to statsd');
    expect(allowed.status, allowed.detail).to.equal('pass');
    expect(allowed.outcome).to.equal('connected');
    const denied = one('web cannot send metrics to statsd');
    expect(denied.status, denied.detail).to.equal('pass');
    expect(denied.observed).to.equal('denied');
  });

  it('resolves cluster DNS from every namespace it is allowed in', () => {
    const dns = byExpectation('pods resolve cluster names');
    expect(dns).to.have.length(3);
    for (const r of dns) expect(r.status, `${r.name}: ${r.detail}`).to.equal('pass');
  });

  it('tests egress to the simulated external host both ways', () => {
    expect(one('the API calls the partner outside the cluster').status).to.equal('pass');
    const denied = one('web cannot reach the outside');
    expect(denied.status, denied.detail).to.equal('pass');
    expect(denied.detail).to.contain("netprobe's own machine");
  });

  it('leaves no pod behind', async () => {
    expect(await leftoverPods()).to.deep.equal([]);
  });
});
