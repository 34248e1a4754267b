// The Nx preset without its ts-jest transform: every project transforms with @swc/jest.
const { transform: _unused, ...preset } = require('@nx/jest/preset').default;

module.exports = {
  ...preset,
  testEnvironment: 'node',
  passWithNoTests: true,
  // Specs import workspace libraries from source (the "@lpts/source" export condition), never from a
  // possibly stale dist build.
  testEnvironmentOptions: { customExportConditions: ['@lpts/source', 'node', 'require', 'default'] },
};
