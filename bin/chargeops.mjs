#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a fresh clone needs no build step. The Node.js
// version is checked first (bin/node-support.mjs), before tsx or any dependency is loaded.
import { nodeSupport } from './node-support.mjs';

const support = nodeSupport(process.versions.node);
if (!support.ok) {
  process.stderr.write(support.message + '\n');
  process.exit(3);
}
if (support.warning && process.argv[2] === 'start') process.stderr.write('warning: ' + support.warning + '\n');

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/main.ts');
await main(process.argv.slice(2));
