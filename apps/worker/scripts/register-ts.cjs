// Loads TypeScript sources on require (swc; decorators + metadata as the build emits them), so the
// worker can run from source: `node --conditions=@lpts/source -r ./scripts/register-ts.cjs src/main.ts`.
// Used by the integration specs that spawn real worker processes (and kill -9 them).
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
