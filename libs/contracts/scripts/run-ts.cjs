#!/usr/bin/env node
// Runs a TypeScript entry of this project from source (no build step): compiles .ts files on
// require (scripts/register-ts.cjs), then calls the entry's exported `main(args)`.
// Usage: node --conditions=@lpts/source scripts/run-ts.cjs <file.ts> [args...]
'use strict';
const { resolve } = require('node:path');
// The workspace's one TypeScript require hook (scripts/register-ts.cjs at the repository root).
require(resolve(__dirname, '../../../scripts/register-ts.cjs'));

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts.cjs <file.ts> [args...]');
  process.exit(2);
}
const file = resolve(entry);
process.argv = [process.argv[0], file, ...args];
const exported = require(file);
if (typeof exported.main !== 'function') {
  console.error(`${entry} exports no main(args)`);
  process.exit(2);
}
Promise.resolve(exported.main(args)).catch((err) => {
  console.error(err);
  process.exit(1);
});
