// What a probe saw, as the in-pod agent reported it (or as netprobe recorded when it could not run one).
import type { Outcome } from '../verdict/model.ts';

export interface ProbeObservation {
  probeId: string;
  outcome: Outcome;
  detail: string;
  ms: number;
  attempts: number;
  httpStatus?: number;
  addresses?: string[];
}
