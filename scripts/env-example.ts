/*
 * Writes deploy/env/<app>.env.example for every service from its zod config schema (the keys, their
 * defaults, required/optional) and the doc comments beside the keys in the config sources.
 *   node --conditions=@lpts/source -r ./scripts/register-ts.cjs scripts/env-example.ts          write
 *   node --conditions=@lpts/source -r ./scripts/register-ts.cjs scripts/env-example.ts --check  exit 1 when a file is stale
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { gatewayEnv } from '../apps/gateway/src/config/gateway.env';
import { orchestratorEnv } from '../apps/orchestrator/src/config/orchestrator.env';
import { settlementEnv } from '../apps/settlement/src/config/settlement.env';
import { ticketBrokerEnv } from '../apps/ticket-broker/src/config/ticket-broker.env';
import { workerEnv } from '../apps/worker/src/config/worker.env';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'deploy/env');
const SERVICES: Record<string, { schema: unknown; source: string }> = {
  gateway: { schema: gatewayEnv, source: 'apps/gateway/src/config/gateway.env.ts' },
  orchestrator: { schema: orchestratorEnv, source: 'apps/orchestrator/src/config/orchestrator.env.ts' },
  settlement: { schema: settlementEnv, source: 'apps/settlement/src/config/settlement.env.ts' },
  'ticket-broker': { schema: ticketBrokerEnv, source: 'apps/ticket-broker/src/config/ticket-broker.env.ts' },
  worker: { schema: workerEnv, source: 'apps/worker/src/config/worker.env.ts' },
};
const SHARED_SOURCE = 'libs/platform/src/config/fragments.ts';

/** KEY → its doc comment (first paragraph, one line) from the object literals of a source file. */
function docComments(file: string): Map<string, string> {
  const src = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out = new Map<string, string>();
  const visit = (n: ts.Node) => {
    if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) && /^[A-Z][A-Z0-9_]*$/.test(n.name.text)) {
      const jsdoc = ts.getJSDocCommentsAndTags(n).find(ts.isJSDoc);
      const text = typeof jsdoc?.comment === 'string' ? jsdoc.comment : undefined;
      if (text !== undefined && !out.has(n.name.text)) out.set(n.name.text, text.split('\n\n')[0]!.replace(/\s+/g, ' ').trim());
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

interface ZodDef {
  type: string;
  defaultValue?: unknown;
  innerType?: { _zod: { def: ZodDef } };
  in?: { _zod: { def: ZodDef } };
}

/** 'required' | 'optional' | the default value as the environment would spell it. */
function defaultOf(def: ZodDef): { kind: 'required' | 'optional' } | { kind: 'default'; value: string } {
  if (def.type === 'default') {
    const v = def.defaultValue;
    return { kind: 'default', value: typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v) };
  }
  if (def.type === 'optional') return { kind: 'optional' };
  if (def.type === 'pipe' && def.in) return defaultOf(def.in._zod.def);
  return { kind: 'required' };
}

function render(service: string): string {
  const { schema, source } = SERVICES[service]!;
  const docs = new Map([...docComments(SHARED_SOURCE), ...docComments(source)]);
  const shape = (schema as { shape: Record<string, { _zod: { def: ZodDef } }> }).shape;
  const lines = [
    `# ${service}: every setting, generated from its config schema by scripts/env-example.ts (do not edit by hand).`,
    `# Required keys are uncommented and empty; optional ones are commented out; the others show their default.`,
    '',
  ];
  for (const [key, field] of Object.entries(shape)) {
    const doc = docs.get(key);
    if (doc) lines.push(`# ${doc}`);
    const d = defaultOf(field._zod.def);
    if (d.kind === 'required') lines.push(`${key}=`);
    else if (d.kind === 'optional') lines.push(`# ${key}=`);
    else lines.push(`# ${key}=${d.value}`);
  }
  return lines.join('\n') + '\n';
}

const check = process.argv.includes('--check');
const stale: string[] = [];
mkdirSync(OUT, { recursive: true });
for (const service of Object.keys(SERVICES)) {
  const file = join(OUT, `${service}.env.example`);
  const text = render(service);
  if (check) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(file);
  } else writeFileSync(file, text);
}
if (stale.length > 0) {
  process.stderr.write(`stale (run scripts/env-example.ts): ${stale.join(', ')}\n`);
  process.exit(1);
}
