// A Prediction as a report Result (`netprobe predict`), or attached to an observed one (`run --policies`).

import type { Case } from '../suite/model.ts';
import type { Prediction } from '../policy/predict.ts';
import type { Result, Status } from './model.ts';
import { resultBase } from './result-base.ts';

/** A prediction as a report Result: a contradiction is a leak (deny predicted allowed) or broken (allow predicted denied). */
export function predictionResult(c: Case, p: Prediction): Result {
  const e = c.expectation;
  const expected = e.expect === 'allow' ? 'allowed' : 'denied';
  let status: Status;
  if (p.predicted === 'unknown') status = 'inconclusive';
  else if (p.predicted === expected) status = 'pass';
  else status = e.expect === 'allow' ? 'broken' : 'leak';
  const detail =
    p.predicted === 'unknown'
      ? `cannot predict: ${p.detail}`
      : status === 'pass'
        ? `policies agree: ${p.detail}`
        : `policies contradict the expectation (predicted ${p.predicted}): ${p.detail}`;
  const result: Result = {
    ...resultBase(c),
    observed: 'unknown',
    outcome: 'not-run',
    status,
    durationMs: 0,
    attempts: 0,
    detail,
    policies: p.policies,
  };
  if (status === 'inconclusive') result.decideBy = 'run it against the cluster (netprobe run), or give --policies the manifests the prediction lacks (the pods, namespaces and Services it names, and a port)';
  // A mixed prediction is reported as the side that contradicts the expectation.
  if (p.predicted === 'allowed' || p.predicted === 'denied') result.predicted = p.predicted;
  else if (p.predicted === 'mixed') result.predicted = e.expect === 'allow' ? 'denied' : 'allowed';
  return result;
}

/**
 * An observed Result with its prediction attached (`netprobe run --policies` / `--predict`): `predicted`,
 * the deciding `policies`, and for non-passes (or a pass the policies disagree with) why the policies
 * say what they say. A mixed prediction counts as the side that contradicts the expectation.
 */
export function withPrediction(r: Result, p: Prediction): Result {
  if (p.predicted === 'unknown') return { ...r, detail: r.status === 'pass' ? r.detail : `${r.detail}; policies: cannot predict (${p.detail})` };
  const predicted = p.predicted === 'mixed' ? (r.expect === 'allow' ? 'denied' : 'allowed') : p.predicted;
  const out: Result = { ...r, predicted, policies: p.policies };
  const disagrees = (r.observed === 'allowed' || r.observed === 'denied') && r.observed !== predicted;
  if (r.status !== 'pass' || disagrees) {
    const mixed = p.predicted === 'mixed' ? ' (mixed)' : '';
    out.detail = `${r.detail}; policies predict ${predicted}${mixed}${disagrees ? ', not what was observed' : ''}: ${p.detail}`;
  }
  return out;
}
