// Ctrl-C, SIGTERM and SIGHUP (the terminal closed) abort the run instead of killing the process, so
// cleanup still happens. A second signal exits at once (the pods' activeDeadlineSeconds and
// `netprobe clean` remain).
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function abortOnSignals(onFirst?: (signal: string) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onFirst?.(sig);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    dispose() {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
