/**
 * Field types for environment schemas, shared by every app's `*.env.ts` so a key of the same
 * kind parses the same way everywhere (a port, a flag, an amount of wei, JSON).
 */
import { z } from 'zod';

/** 0..65535; 0 = pick a free port. */
export const envPort = z.coerce.number().int().min(0).max(65535);
export const envPositiveInt = z.coerce.number().int().positive();
export const envNonNegativeInt = z.coerce.number().int().nonnegative();
/** true/false, 1/0, yes/no. */
export const envBool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
export const envAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address');
/** A non-negative decimal integer as bigint. */
export const envBigInt = z
  .string()
  .regex(/^\d+$/, 'a non-negative decimal integer')
  .transform((v) => BigInt(v));
/** An amount of wei: decimal, or mantissa-exponent like `8e9`. */
export const envWei = z
  .string()
  .regex(/^\d+(e\d+)?$/, 'a non-negative integer number of wei (decimal, or 8e9 style)')
  .transform((v) => {
    const [m, e] = v.split('e');
    return BigInt(m as string) * 10n ** BigInt(e ?? '0');
  });
/** Milliseconds, positive, at most an hour, with a default. */
export const envMs = (def: number) => z.coerce.number().int().positive().max(3_600_000).default(def);

/** A JSON document validated against `schema`; a parse error names the JSON problem. */
export function envJson<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `invalid JSON: ${(e as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}
