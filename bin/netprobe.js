#!/usr/bin/env node
// Entry point for `netprobe` and `kubectl netprobe`. Plain JavaScript that any Node parses, so that an
// older Node gets one line saying what is needed instead of a stack trace.
import { existsSync } from 'node:fs';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`netprobe: needs Node.js 22.19 or newer, this is ${process.version}; install Node 24 (https://nodejs.org) or use the standalone executable, which needs no Node\n`);
  process.exit(2);
}
// The compile cache (in the OS temp folder) halves start-up on later runs, which responders feel.
module.enableCompileCache?.();
// A checkout runs its TypeScript sources; the npm package ships only the bundle.
const sources = new URL('../src/cli/bin.ts', import.meta.url);
await import(existsSync(sources) ? sources.href : '../dist/netprobe.cjs');
