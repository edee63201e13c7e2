// API clients that count the requests they make, so a run can show that its cost grows with the
// number of sources and namespaces, not with the number of expectations.
import type * as k8s from '@kubernetes/client-node';

export const apiRequests = { count: 0 };

type ApiConstructor<T> = new (config: k8s.Configuration) => T;

export function apiClient<T extends object>(kc: k8s.KubeConfig, api: ApiConstructor<T>): T {
  const client = kc.makeApiClient(api as unknown as Parameters<k8s.KubeConfig['makeApiClient']>[0]) as unknown as T;
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        apiRequests.count += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
