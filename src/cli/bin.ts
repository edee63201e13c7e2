// The process entry: the command line on this process's arguments. bin/netprobe.js loads this file in
// a checkout and its bundle (dist/netprobe.cjs) elsewhere; the standalone executable embeds the bundle.
import { main } from './main.ts';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
