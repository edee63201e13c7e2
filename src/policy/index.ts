// The policy engine's public surface: a pure NetworkPolicy evaluator (no I/O).
export * from './types.ts';
export { compileSelector, matchesSelector, formatSelector, isEmptySelector, type LabelMatcher } from './selectors.ts';
export { parseIP, parseCIDR, cidrContains, ipBlockMatches, firstAddress, type ParsedIP, type ParsedCIDR } from './cidr.ts';
export { resolveNamedPort, resolveConnectionPort, policyPortMatches, formatPolicyPort, DEFAULT_PROTOCOL } from './ports.ts';
export { effectivePolicyTypes, compilePolicy, type CompiledPolicy } from './compile.ts';
export {
  PolicyEngine,
  evaluateConnection,
  formatRuleRef,
  NAMESPACE_NAME_LABEL,
  type EngineOptions,
  type Direction,
  type DirectionVerdict,
  type EvaluateOptions,
  type PolicyTrace,
  type RuleRef,
  type RuleTrace,
  type PeerTrace,
  type Verdict,
} from './evaluate.ts';
export { explain, renderExplanation } from './explain.ts';
export {
  AdminPolicyEngine,
  type AdminAction,
  type AdminClusterState,
  type AdminNetworkPolicy,
  type AdminPeer,
  type AdminPort,
  type AdminRule,
  type AdminSubject,
  type BaselineAdminNetworkPolicy,
} from './admin.ts';
export { parseManifests, mergeManifests, emptyManifestSet, type ManifestSet, type ServiceInfo, type ServicePortInfo } from './manifests.ts';
export { resolvePeer, resolveEndpointRef, labelsFor, l4Protocol, defaultPort, throughService, type PeerResolution, type PeerWorld } from './peers.ts';
export { predictCase, predictionResult, rangeBreakpoints, type ConnectionJudge, type Prediction, type Predicted } from './predict.ts';
