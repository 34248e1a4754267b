import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';

/** src/gen is committed; regenerating it from proto/ must change nothing (byte for byte). */
const projectRoot = join(__dirname, '..', '..');
const repoRoot = join(projectRoot, '..', '..');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('generated code (src/gen)', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'lpts-gen-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('is exactly what buf generate produces from proto/', () => {
    const bin = join(repoRoot, 'node_modules', '.bin');
    // protoc-gen-es is a node script: run it with the Node that runs this test.
    const PATH = [dirname(process.execPath), bin, process.env['PATH'] ?? ''].join(delimiter);
    execFileSync(join(bin, 'buf'), ['generate', '--output', out], { cwd: projectRoot, env: { ...process.env, PATH }, stdio: 'pipe' });
    const fresh = join(out, 'src', 'gen');
    const committed = join(projectRoot, 'src', 'gen');
    const files = listFiles(committed);
    expect(listFiles(fresh)).toEqual(files);
    expect(files).toEqual(['net/lp_rpc_pb.ts', 'net/redeemer_pb.ts']);
    for (const f of files) {
      expect(readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f)))).toBe(true);
    }
  });
});
