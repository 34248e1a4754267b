#!/usr/bin/env node
// Runs a TypeScript entry of this project from source (no build step): compiles .ts files on
// require with @swc/core, then calls the entry's exported `main(args)`.
// Usage: node --conditions=@lpts/source scripts/run-ts.cjs <file.ts> [args...]
'use strict';
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

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
