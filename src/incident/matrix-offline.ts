// The truth table with no cluster (`netprobe matrix --policies PATH... [--state PATH...]`): the same probe
// set as the live matrix, built from the pods the manifests declare (one representative per workload),
// each path judged by the policy engine instead of traffic. A cell is what the policies imply, not what
// the network does: `allowed` means the policies allow it.
import type { ClusterSnapshot, LivePod } from '../model/cluster.ts';
import type { ManifestSet } from '../policy/manifests.ts';
import { predictCase, type ConnectionJudge } from '../policy/predict.ts';
import { expandSuites } from '../suite/index.ts';
import type { Result } from '../verdict/model.ts';
import { predictionResult } from '../verdict/predicted.ts';
import { loadGeneratedSuite } from './common.ts';
import { matrixSuite, type MatrixPlan } from './matrix.ts';

/** The manifests as the matrix reads a cluster: their pods declared, none running (no address, not ready). */
function declaredSnapshot(m: ManifestSet): ClusterSnapshot {
  const pods: LivePod[] = m.pods.map((p) => ({ ...p, serviceAccount: p.serviceAccount ?? 'default', hostNetwork: p.hostNetwork ?? false, phase: 'Declared', ready: false, readinessPorts: [] }));
  return { namespaces: m.namespaces, pods, services: m.services, workloads: [], serviceAccounts: [] };
}

export function offlineMatrix(manifests: ManifestSet, engine: ConnectionJudge, namespaces: readonly string[]): { plan: MatrixPlan; results: Result[] } {
  const plan = matrixSuite(declaredSnapshot(manifests), namespaces, 2, true);
  const cases = expandSuites(loadGeneratedSuite(plan.yaml, 'matrix.yaml'));
  return { plan, results: cases.map((c) => predictionResult(c, predictCase(engine, manifests, c))) };
}
