// Kubernetes resource quantities ("500m", "64Mi", "1.5Gi", "2e3") as plain numbers, for comparing what a
// quota has left with what a pod requests. Pure.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity's value (cores for cpu, bytes for memory); undefined when it is not a quantity. */
export function parseQuantity(text: string): number | undefined {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$/.exec(text.trim());
  if (!m) return undefined;
  const scale = BINARY[m[2]!] ?? DECIMAL[m[2]!];
  // "1e3" parses as a number with an exponent; "1E" is one exa (the suffix), which the pattern prefers.
  return scale === undefined ? undefined : Number(m[1]) * scale;
}
