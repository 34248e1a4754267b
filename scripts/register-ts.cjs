// Loads TypeScript sources on require with swc (decorators and metadata as the build emits them),
// so a service or a tool can run from source without a build step:
//   node --conditions=@lpts/source -r scripts/register-ts.cjs apps/worker/src/main.ts
// Specs that spawn real service processes (and kill -9 them) use it; so do libs/contracts' targets.
'use strict';
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
