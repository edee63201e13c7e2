// The labels that mark every object netprobe creates, so any run's leftovers can be found and removed.
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'netprobe';
/** Present on every netprobe object; its value is the run id. Cleanup selects on this key. */
export const RUN_LABEL = 'netprobe.dev/run';
/** source | server */
export const ROLE_LABEL = 'netprobe.dev/role';
export const CREATED_ANNOTATION = 'netprobe.dev/created-at';

export function runSelector(runId?: string): string {
  return runId ? `${RUN_LABEL}=${runId}` : RUN_LABEL;
}
