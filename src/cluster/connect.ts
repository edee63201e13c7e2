// Which cluster a run talks to: kubeconfig + context, kubectl's precedence (flag, then $KUBECONFIG,
// then ~/.kube/config; in-cluster when running in a pod).
import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ClusterTarget {
  kc: k8s.KubeConfig;
  context: string;
  server: string;
}

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
}

export class ClusterConfigError extends Error {}

export function connect(opts: ConnectOptions): ClusterTarget {
  const kc = new k8s.KubeConfig();
  const file = opts.kubeconfig ?? process.env.KUBECONFIG;
  try {
    if (file) {
      for (const f of file.split(':').filter(Boolean)) {
        if (!fs.existsSync(f)) throw new ClusterConfigError(`kubeconfig ${f} does not exist`);
      }
      kc.loadFromFile(file.split(':')[0]!);
    } else {
      const home = path.join(os.homedir(), '.kube', 'config');
      if (!fs.existsSync(home) && !process.env.KUBERNETES_SERVICE_HOST) {
        throw new ClusterConfigError('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config');
      }
      kc.loadFromDefault();
    }
  } catch (err) {
    if (err instanceof ClusterConfigError) throw err;
    throw new ClusterConfigError(`cannot load kubeconfig${file ? ` ${file}` : ''}: ${(err as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw new ClusterConfigError(`context "${opts.context}" is not in the kubeconfig (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterConfigError('the kubeconfig names no current cluster (use --context or --kubeconfig)');
  return { kc, context: kc.getCurrentContext(), server: cluster.server };
}
