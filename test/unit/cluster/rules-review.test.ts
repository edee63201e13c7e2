// ruleGrants: what one rule of a SelfSubjectRulesReview grants, as RBAC matches it.
import { expect } from 'chai';
import { ruleGrants } from '../../../src/cluster/access.ts';

describe('ruleGrants: a rules review rule, matched as RBAC does', () => {
  const createPods = { verb: 'create', resource: 'pods', namespace: 'shop' };
  it('verb, group and resource must all match; * matches any', () => {
    expect(ruleGrants({ verbs: ['create', 'delete'], apiGroups: [''], resources: ['pods'] }, createPods)).to.equal(true);
    expect(ruleGrants({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, createPods)).to.equal(true);
    expect(ruleGrants({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, createPods)).to.equal(false);
    expect(ruleGrants({ verbs: ['create'], apiGroups: ['apps'], resources: ['pods'] }, createPods)).to.equal(false);
    expect(ruleGrants({ verbs: ['create'], apiGroups: [''], resources: ['services'] }, createPods)).to.equal(false);
  });
  it('a subresource is named with its resource, or by a wildcard on either side', () => {
    const exec = { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'shop' };
    expect(ruleGrants({ verbs: ['create'], apiGroups: [''], resources: ['pods'] }, exec)).to.equal(false);
    expect(ruleGrants({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }, exec)).to.equal(true);
    expect(ruleGrants({ verbs: ['create'], apiGroups: [''], resources: ['pods/*'] }, exec)).to.equal(true);
    expect(ruleGrants({ verbs: ['create'], apiGroups: [''], resources: ['*/exec'] }, exec)).to.equal(true);
  });
  it('a rule limited to some names grants no create or list of any name', () => {
    expect(ruleGrants({ verbs: ['create'], apiGroups: [''], resources: ['pods'], resourceNames: ['one'] }, createPods)).to.equal(false);
  });
  it('a group other than core must be named', () => {
    const leases = { verb: 'create', resource: 'leases', group: 'coordination.k8s.io', namespace: 'shop' };
    expect(ruleGrants({ verbs: ['create'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] }, leases)).to.equal(true);
    expect(ruleGrants({ verbs: ['create'], apiGroups: [''], resources: ['leases'] }, leases)).to.equal(false);
  });
});
