#!/usr/bin/env node
// Sums every project's Jest JSON results into the one closing line CI reads:
//   N passed, N failed[, N skipped]
// A suite that crashed before running counts as one failure. Exits 1 on any failure or when no test ran.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? process.cwd();
let passed = 0, failed = 0, skipped = 0, files = 0;
const broken = [];
for (const dir of ['apps', 'libs']) {
  if (!existsSync(join(root, dir))) continue;
  for (const name of readdirSync(join(root, dir))) {
    const file = join(root, dir, name, 'jest-results.json');
    if (!existsSync(file)) continue;
    files++;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    skipped += r.numPendingTests + r.numTodoTests;
    for (const s of r.testResults ?? []) if (s.status === 'failed') broken.push(`${dir}/${name}: ${s.name.replace(root + '/', '')}`);
  }
}
for (const b of broken) console.log(`FAILED ${b}`);
const extra = process.env.LPTS_EXTRA_FAILURES ? Number(process.env.LPTS_EXTRA_FAILURES) : 0;
console.log(`${passed} passed, ${failed + extra} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (files === 0 || passed + failed === 0) {
  console.error('no test ran');
  process.exit(1);
}
process.exit(failed + extra > 0 ? 1 : 0);
