// Runs netprobe's main() in this process and collects what it writes.
import { main, type CliIO } from '../../../src/cli/main.ts';

export async function netprobeInProcess(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s) };
  const code = await main(args, io);
  return { code, out, err };
}
