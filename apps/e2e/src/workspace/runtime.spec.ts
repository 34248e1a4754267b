/** The project runs on Node 24 (the `node@24` devDependency), whatever the machine's own node is. */
describe('runtime', () => {
  it('runs on Node >= 24', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(24);
  });

  it('has the Node 24 features the workspace relies on (require(esm), vm modules for Jest)', () => {
    expect(typeof (process.features as { require_module?: boolean }).require_module).toBe('boolean');
    expect(process.execArgv.join(' ') + ' ' + (process.env['NODE_OPTIONS'] ?? '')).toContain('--experimental-vm-modules');
  });
});
