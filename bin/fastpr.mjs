#!/usr/bin/env node
// The `fastpr` command: runs the TypeScript CLI in core/cli through tsx (no build step needed).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
