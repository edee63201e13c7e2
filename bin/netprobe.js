#!/usr/bin/env node
// Entry point for `netprobe` and `kubectl netprobe`. Node >= 22.19 runs the TypeScript sources directly;
// the compile cache (in the OS temp folder) halves start-up on later runs, which responders feel.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
