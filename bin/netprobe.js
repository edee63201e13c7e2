#!/usr/bin/env node
// Entry point for `netprobe` and `kubectl netprobe`. Node >= 22.19 runs the TypeScript sources directly.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
