#!/usr/bin/env node
// Fails on a circular import between files of one project (Nx's lint rule covers cycles between projects).
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = process.argv[2] ?? process.cwd();
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|require\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'gen') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const c of [base + '.ts', join(base, 'index.ts'), base]) if (existsSync(c) && c.endsWith('.ts')) return c;
  return undefined;
}

const cycles = [];
for (const top of ['apps', 'libs']) {
  if (!existsSync(join(root, top))) continue;
  for (const project of readdirSync(join(root, top))) {
    const src = join(root, top, project, 'src');
    if (!existsSync(src)) continue;
    const graph = new Map();
    for (const file of walk(src)) {
      const deps = [];
      // Type-only imports vanish at run time and cannot form a load cycle.
      const text = readFileSync(file, 'utf8').replace(/import\s+type\s[^;]*;/g, '').replace(/export\s+type\s[^;]*;/g, '');
      for (const m of text.matchAll(IMPORT)) {
        const target = resolveImport(file, m[1] ?? m[2] ?? m[3]);
        if (target) deps.push(target);
      }
      graph.set(file, deps);
    }
    const state = new Map();
    const stack = [];
    const visit = (f) => {
      state.set(f, 1);
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === 1) cycles.push(stack.slice(stack.indexOf(d)).concat(d).map((p) => p.replace(root + '/', '')).join(' -> '));
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
  }
}
if (cycles.length) {
  console.error(`circular imports (${cycles.length}):\n  ${cycles.join('\n  ')}`);
  process.exit(1);
}
console.log('no circular imports');
