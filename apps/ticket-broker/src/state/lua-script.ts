import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by EVALSHA, loaded with EVAL on NOSCRIPT (after a Redis restart or failover). */
export class LuaScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Lua fragment: `claim_nonces(first, last)` claims the nonces ARGV[first..last], in order, in the set
 * KEYS[1] (at most ARGV[1] members) and records the set in the expiry index KEYS[2] (score ARGV[2],
 * member ARGV[3]; the set expires after ARGV[4] s). Returns the per-nonce results (0 accepted,
 * 1 already seen, 2 too many) and whether all were accepted. Used by every script that claims nonces.
 */
export const CLAIM_NONCES = `
local function claim_nonces(first, last)
  local limit = tonumber(ARGV[1])
  local created = redis.call('EXISTS', KEYS[1]) == 0
  local size = redis.call('SCARD', KEYS[1])
  local out = {}
  local all = true
  for i = first, last do
    if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then
      out[#out + 1] = 1
      all = false
    elseif size >= limit then
      out[#out + 1] = 2
      all = false
    else
      redis.call('SADD', KEYS[1], ARGV[i])
      size = size + 1
      out[#out + 1] = 0
    end
  end
  if size > 0 then
    if created then
      redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
      redis.call('EXPIRE', KEYS[1], ARGV[4])
    else
      redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[3])
    end
  end
  return out, all
end
`;
