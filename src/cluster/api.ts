// API clients that count the requests they make, so a run can show that its cost grows with the
// number of sources and namespaces, not with the number of expectations, and that retry the calls
// that failed for a passing reason (retry.ts).
import type * as k8s from '@kubernetes/client-node';
import { isConflict } from './errors.ts';
import { withRetry, type RetryOptions } from './retry.ts';

/** Requests sent (retries included) and how many of them were retries. */
export const apiRequests = { count: 0, retries: 0 };

type ApiConstructor<T> = new (config: k8s.Configuration) => T;

/**
 * A retried create whose first try did take effect meets its own object: 409 AlreadyExists. Every object
 * netprobe creates has a name unique to its run, so that object is ours: the create succeeded.
 */
function createdByEarlierTry(method: string, args: readonly unknown[]): ((err: unknown) => { value: unknown } | undefined) | undefined {
  if (!method.startsWith('create')) return undefined;
  const body = (args[0] as { body?: unknown } | undefined)?.body;
  return (err) => (isConflict(err) && body !== undefined ? { value: body } : undefined);
}

export function apiClient<T extends object>(kc: k8s.KubeConfig, api: ApiConstructor<T>, retry: RetryOptions = {}): T {
  const client = kc.makeApiClient(api as unknown as Parameters<k8s.KubeConfig['makeApiClient']>[0]) as unknown as T;
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const call = () => {
          apiRequests.count += 1;
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
        const settleEcho = createdByEarlierTry(String(prop), args);
        return withRetry(call, retry, { onRetry: () => (apiRequests.retries += 1), ...(settleEcho ? { settleEcho } : {}) });
      };
    },
  });
}
