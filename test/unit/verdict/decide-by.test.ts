// Issue 11, "say what would decide it": every inconclusive result carries decideBy, whether the plan
// could not probe it or the probe's answer proved nothing; the steps name the port and workload.
import { expect } from 'chai';
import { buildPlan } from '../../../src/plan/plan.ts';
import { predictionResult } from '../../../src/verdict/predicted.ts';
import { judgeBy } from '../support/judge.ts';
import { deployment, oneCase, pod, service, snapshot } from '../support/world.ts';

const WEB = `{namespace: shop, podSelector: {matchLabels: {app: web}}}`;
const world = () =>
  snapshot(['shop'], {
    pods: [
      pod('shop', 'web-0', { app: 'web' }, { ips: ['10.1.0.100'] }),
      pod('shop', 'api-0', { app: 'api' }, { ips: ['10.1.0.7'], containerPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
      pod('shop', 'agent-0', { app: 'agent' }, { ips: ['192.168.1.5'], hostNetwork: true }),
    ],
    services: [service('shop', 'two', { app: 'api' }, [{ port: 80, targetPort: 8080, protocol: 'TCP' }, { port: 81, targetPort: 8081, protocol: 'TCP' }])],
    workloads: [deployment('shop', 'api', { app: 'api' })],
  });

describe('decideBy: every inconclusive result says what would decide it', () => {
  const cannotProbe: Record<string, string> = {
    'source namespace missing': `{from: {namespace: nowhere, podSelector: {matchLabels: {app: x}}}, to: {host: 192.0.2.1}, port: 80, expect: deny}`,
    'source selector matches no pod': `{from: {namespace: shop, podSelector: {matchLabels: {app: ghost}}}, to: {host: 192.0.2.1}, port: 80, expect: deny}`,
    'source workload missing': `{from: {namespace: shop, workload: {kind: Deployment, name: ghost}}, to: {host: 192.0.2.1}, port: 80, expect: deny}`,
    'hostNetwork source': `{from: {namespace: shop, workload: {kind: Pod, name: agent-0}}, to: {host: 192.0.2.1}, port: 80, expect: deny}`,
    'destination selector matches no pod': `{from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: ghost}}}, port: 80, expect: deny}`,
    'destination Service missing': `{from: ${WEB}, to: {namespace: shop, service: ghost}, port: 80, expect: deny}`,
    'Service without the port': `{from: ${WEB}, to: {namespace: shop, service: two}, port: 99, expect: deny}`,
    'a wide CIDR': `{from: ${WEB}, to: {cidr: 192.0.2.0/24}, port: 80, expect: deny}`,
    'a named port on a pod without it': `{from: ${WEB}, to: {namespace: shop, podSelector: {matchLabels: {app: api}}}, port: grpc, expect: deny}`,
  };
  for (const [what, expectation] of Object.entries(cannotProbe)) {
    it(`cannot probe: ${what}`, () => {
      const plan = buildPlan([oneCase(expectation)], world());
      expect(plan.unprobeable, what).to.have.length.greaterThan(0);
      for (const u of plan.unprobeable) expect(u.decideBy, u.reason).to.be.a('string').and.not.equal('');
      const [r] = judgeBy(plan, () => 'timeout');
      expect(r!.status).to.equal('inconclusive');
      expect(r!.decideBy, r!.detail).to.be.a('string').and.not.equal('');
      expect(r!.detail).not.to.match(/would decide it|to decide it/);
    });
  }

  it('a deny to a workload with no readiness probe names the port and the pod to add one to', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, workload: {kind: Deployment, name: api}}, port: 8080, expect: deny}`)], world());
    const [r] = judgeBy(plan, () => 'timeout');
    expect(r!.status).to.equal('inconclusive');
    expect(r!.decideBy).to.match(/readiness probe on port 8080 to shop\/api-0/).and.to.match(/allow expectation to it/);
  });

  it('a closed port names the port nothing listens on', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {namespace: shop, workload: {kind: Deployment, name: api}}, port: 8080, expect: deny}`)], world());
    const [r] = judgeBy(plan, () => ['refused', { answeredBy: 'target' }]);
    expect(r!.status).to.equal('inconclusive');
    expect(r!.decideBy).to.match(/nothing listens on 8080/);
  });

  it('UDP silence from a target not known to answer: a protocol netprobe speaks, or an echo server', () => {
    const plan = buildPlan([oneCase(`{from: ${WEB}, to: {host: 192.0.2.1}, port: 9999, protocol: UDP, expect: allow}`)], world());
    const [r] = judgeBy(plan, () => 'timeout');
    expect(r!.status).to.equal('inconclusive');
    expect(r!.decideBy).to.match(/DNS on 53/);
  });

  it('a prediction that cannot be made says how to decide it; a decided one carries none', () => {
    const c = oneCase(`{from: ${WEB}, to: {host: 192.0.2.1}, port: 80, expect: deny}`);
    const unknown = predictionResult(c, { predicted: 'unknown', policies: [], detail: 'source: no pod', checked: 0, facts: {} as never });
    expect(unknown.status).to.equal('inconclusive');
    expect(unknown.decideBy).to.match(/netprobe run/);
    const denied = predictionResult(c, { predicted: 'denied', policies: [], detail: 'denied', checked: 1, facts: {} as never });
    expect(denied.decideBy).to.equal(undefined);
  });
});
