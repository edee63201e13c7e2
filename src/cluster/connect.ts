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
  const home = path.join(os.homedir(), '.kube', 'config');
  const loaded = file ? file.split(':')[0]! : fs.existsSync(home) ? home : undefined;
  try {
    if (file) {
      for (const f of file.split(':').filter(Boolean)) {
        if (!fs.existsSync(f)) throw new ClusterConfigError(`kubeconfig ${f} does not exist`);
      }
      kc.loadFromFile(file.split(':')[0]!);
    } else {
      if (!fs.existsSync(home) && !process.env.KUBERNETES_SERVICE_HOST) {
        throw new ClusterConfigError('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config');
      }
      kc.loadFromDefault();
    }
  } catch (err) {
    if (err instanceof ClusterConfigError) throw err;
    throw new ClusterConfigError(loadFailure(loaded, err));
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

/**
 * Why a kubeconfig did not load, never quoting it: it holds tokens and keys, and the YAML parser's own
 * message shows the lines around the error. A YAML error gives `file:line:col` and the parser's reason
 * when that is plain words; anything else gives the first line of the error.
 */
export function loadFailure(file: string | undefined, err: unknown): string {
  const where = file ?? 'kubeconfig';
  const mark = (err as { mark?: { line?: unknown; column?: unknown } } | undefined)?.mark;
  if (err instanceof Error && err.name === 'YAMLException' && typeof mark?.line === 'number' && typeof mark.column === 'number') {
    const reason = (err as { reason?: unknown }).reason;
    const plain = typeof reason === 'string' && /^[A-Za-z][A-Za-z ,;()-]*$/.test(reason) ? `: ${reason}` : '';
    return `cannot load kubeconfig ${where}:${mark.line + 1}:${mark.column + 1}: YAML syntax error${plain} (the line is not shown: a kubeconfig holds credentials)`;
  }
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return `cannot load kubeconfig ${where}: ${first}`;
}
