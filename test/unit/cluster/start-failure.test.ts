// Start failures the cluster reports at once: the scheduler's Unschedulable condition and the API's refusal
// of a create. Which of them may clear once other pods are gone (capacity: a reason to wait for a wave)
// and which never will for this pod (a nodeSelector no node matches, a taint, an admission denial).
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { createRefusal, unschedulable } from '../../../src/cluster/start-failure.ts';
import { podProblem } from '../../../src/cluster/pods.ts';

const pending = (reason: string, message?: string): V1Pod => ({
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason, ...(message === undefined ? {} : { message }) }] },
});
const apiError = (code: number, message: string) => ({ code, body: JSON.stringify({ kind: 'Status', message }) });

describe('unschedulable: what the scheduler said, and whether it may clear', () => {
  it('too many pods, or too little cpu or memory, is capacity: it frees up when pods end', () => {
    const messages = [
      '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      '0/1 nodes are available: 1 Insufficient cpu.',
      '0/2 nodes are available: 1 Insufficient memory, 1 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
      '0/1 nodes are available: 1 Insufficient ephemeral-storage.',
    ];
    for (const m of messages) expect(unschedulable(pending('Unschedulable', m)), m).to.deep.equal({ kind: 'capacity', reason: `not scheduled: ${m}` });
  });

  it('a node short of pods among nodes that cannot take it at all is still capacity (that node frees up)', () => {
    const m = '0/2 nodes are available: 1 Too many pods, 1 node(s) didn\'t match Pod\'s node affinity/selector. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.';
    expect(unschedulable(pending('Unschedulable', m))!.kind).to.equal('capacity');
  });

  it('a nodeSelector no node matches, an untolerated taint, cordoned nodes: placement, never clears by waiting', () => {
    const messages = [
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
      '0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      '0/2 nodes are available: 2 node(s) were unschedulable.',
      // Preemption's summary mentions capacity words of its own: only the scheduler's verdict counts.
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Too many pods.",
    ];
    for (const m of messages) expect(unschedulable(pending('Unschedulable', m)), m).to.deep.include({ kind: 'placement' });
  });

  it('a message it cannot parse is placement (final), with the message as the reason', () => {
    expect(unschedulable(pending('Unschedulable', 'no nodes available to schedule pods'))).to.deep.equal({ kind: 'placement', reason: 'not scheduled: no nodes available to schedule pods' });
    expect(unschedulable(pending('Unschedulable'))).to.deep.equal({ kind: 'placement', reason: 'not scheduled: Unschedulable' });
  });

  it('scheduling still open (gated, or not tried yet) is nothing to report yet', () => {
    expect(unschedulable(pending('SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates'))).to.equal(undefined);
    expect(unschedulable({ status: { phase: 'Pending' } })).to.equal(undefined);
    expect(unschedulable({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } })).to.equal(undefined);
  });

  it('podProblem makes an unschedulable pod final at once, with its kind', () => {
    const m = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.";
    expect(podProblem(pending('Unschedulable', m))).to.deep.equal({ kind: 'placement', reason: `not scheduled: ${m}`, final: true });
    expect(podProblem(pending('SchedulingGated', 'gates'))).to.deep.include({ final: false });
  });
});

describe('createRefusal: a pod the API would not create', () => {
  it('a full ResourceQuota is capacity, and says quota exceeded', () => {
    const f = createRefusal(apiError(403, 'pods "netprobe-r1-s5" is forbidden: exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5'));
    expect(f.kind).to.equal('capacity');
    expect(f.reason).to.match(/^could not create pod: quota exceeded: HTTP 403: .*limited: pods=5$/);
  });

  it('an admission denial (webhook, Pod Security) or any other error is final', () => {
    const webhook = createRefusal(apiError(400, 'admission webhook "deny.example.com" denied the request: no probes here'));
    expect(webhook).to.deep.equal({ kind: 'refused', reason: 'could not create pod: HTTP 400: admission webhook "deny.example.com" denied the request: no probes here' });
    expect(createRefusal(apiError(403, 'pods "x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true')).kind).to.equal('refused');
    expect(createRefusal(apiError(403, 'pods is forbidden: User "ci" cannot create resource "pods"')).kind).to.equal('refused');
    // "exceeded quota" in anything but a 403 is not the quota admission plugin speaking.
    expect(createRefusal(apiError(500, 'exceeded quota')).kind).to.equal('refused');
  });
});
