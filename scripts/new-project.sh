#!/usr/bin/env bash
# Scaffolds an lpts project the way the workspace expects it.
# usage: scripts/new-project.sh lib|app NAME "tag1,tag2,..."   (e.g. lib pm "type:lib,scope:shared,purity:pure")
set -euo pipefail
kind=$1; name=$2; tags=$3
root=$([ "$kind" = lib ] && echo libs || echo apps)/$name
[ -e "$root/package.json" ] && { echo "$root exists" >&2; exit 1; }
mkdir -p "$root/src"
tag_json=$(printf '%s' "$tags" | awk -F, '{for(i=1;i<=NF;i++){printf "%s\"%s\"", (i>1?", ":""), $i}}')
if [ "$kind" = lib ]; then
cat > "$root/package.json" <<JSON
{
  "name": "@lpts/$name",
  "version": "0.1.0",
  "private": true,
  "type": "commonjs",
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": { "@lpts/source": "./src/index.ts", "types": "./dist/index.d.ts", "default": "./dist/index.js" },
    "./package.json": "./package.json"
  },
  "dependencies": {},
  "nx": {
    "name": "$name",
    "tags": [$tag_json],
    "targets": {
      "bench": { "command": "jest --config jest.config.cts --testMatch '**/*.bench.ts' --runInBand --passWithNoTests", "options": { "cwd": "{projectRoot}" } }
    }
  }
}
JSON
cat > "$root/tsconfig.lib.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist",
    "tsBuildInfoFile": "dist/tsconfig.lib.tsbuildinfo",
    "emitDeclarationOnly": false,
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "types": ["node"]
  },
  "include": ["src/**/*.ts"],
  "exclude": ["jest.config.ts", "jest.config.cts", "src/**/*.spec.ts", "src/**/*.test.ts", "src/**/*.bench.ts"],
  "references": []
}
JSON
else
cat > "$root/package.json" <<JSON
{
  "name": "@lpts/$name",
  "version": "0.1.0",
  "private": true,
  "type": "commonjs",
  "main": "./dist/main.js",
  "dependencies": {},
  "nx": {
    "name": "$name",
    "tags": [$tag_json],
    "targets": {
      "serve": {
        "executor": "@nx/js:node",
        "continuous": true,
        "options": { "buildTarget": "$name:build", "runBuildTargetDependencies": true, "watch": false, "inspect": false }
      },
      "bench": { "command": "jest --config jest.config.cts --testMatch '**/*.bench.ts' --runInBand --passWithNoTests", "options": { "cwd": "{projectRoot}" } }
    }
  }
}
JSON
cat > "$root/tsconfig.app.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist",
    "tsBuildInfoFile": "dist/tsconfig.app.tsbuildinfo",
    "emitDeclarationOnly": false,
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "types": ["node"]
  },
  "include": ["src/**/*.ts"],
  "exclude": ["jest.config.ts", "jest.config.cts", "src/**/*.spec.ts", "src/**/*.test.ts", "src/**/*.bench.ts"],
  "references": []
}
JSON
fi
cfg=$([ "$kind" = lib ] && echo tsconfig.lib.json || echo tsconfig.app.json)
cat > "$root/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "files": [],
  "include": [],
  "references": [{ "path": "./$cfg" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat > "$root/tsconfig.spec.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "outDir": "./out-tsc/jest",
    "types": ["jest", "node"],
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "noUnusedLocals": false
  },
  "include": ["jest.config.ts", "jest.config.cts", "src/**/*.test.ts", "src/**/*.spec.ts", "src/**/*.bench.ts", "src/**/*.d.ts"],
  "references": [{ "path": "./$cfg" }]
}
JSON
cat > "$root/.spec.swcrc" <<JSON
{
  "jsc": {
    "target": "es2022",
    "parser": { "syntax": "typescript", "decorators": true, "dynamicImport": true },
    "transform": { "legacyDecorator": true, "decoratorMetadata": true },
    "keepClassNames": true,
    "externalHelpers": true,
    "loose": true
  },
  "module": { "type": "commonjs" },
  "sourceMaps": true,
  "exclude": []
}
JSON
cat > "$root/jest.config.cts" <<JSON
const { readFileSync } = require('node:fs');

const swcJestConfig = JSON.parse(readFileSync(\`\${__dirname}/.spec.swcrc\`, 'utf-8'));
swcJestConfig.swcrc = false;

module.exports = {
  displayName: '$name',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: { '^.+\\\\.[tj]s\$': ['@swc/jest', swcJestConfig] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: 'test-output/jest/coverage',
};
JSON
cat > "$root/eslint.config.mjs" <<JSON
import baseConfig from '../../eslint.config.mjs';

export default [...baseConfig];
JSON
[ -f "$root/src/index.ts" ] || echo "export {};" > "$root/src/index.ts"
echo "created $root"
