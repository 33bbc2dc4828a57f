import { createHash } from 'node:crypto';

/** A Lua script, sent by its SHA1 (EVALSHA) and in full only when the server does not know it yet. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function script(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

// Every script runs TIME before writing, which needs effects replication: the default since Redis 5, asked for
// explicitly on older servers.
const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/**
 * Reads the answer, or takes the lock when there is no usable one. The answer key is input: anything but an answer
 * as the guard writes it (another type, bad JSON, a wrong shape, a non-finite time, a checkedAt after the reader's
 * now) is no usable answer, and so is one beyond the reader's limits (checked at or before newer-than, or older than
 * its own TTL for that kind of answer).
 * KEYS: answer, lock, generation. ARGV: lock token, lock ms, reader's now, newer-than checkedAt ('' for any),
 * reader's active TTL ms, reader's inactive TTL ms.
 * Returns {1, answer, its PTTL, generation, now} | {2, '', 0, generation, now} (lock taken) |
 * {0, '', lock PTTL, generation, now} (lock held by another).
 */
export const READ = script('read', `${PRELUDE}
local function finite(x) return type(x) == 'number' and x == x and x > -math.huge and x < math.huge end
local generation = redis.call('GET', KEYS[3]) or '0'
local raw = redis.pcall('GET', KEYS[1])
local reader = tonumber(ARGV[3])
if type(raw) == 'string' then
  local ok, answer = pcall(cjson.decode, raw)
  if ok and type(answer) == 'table' and (answer.a == 0 or answer.a == 1)
    and finite(answer.c) and finite(answer.e)
    and answer.c <= reader and answer.e > reader
    and (ARGV[4] == '' or answer.c > tonumber(ARGV[4]))
    and reader - answer.c < tonumber(answer.a == 1 and ARGV[5] or ARGV[6]) then
    local left = redis.call('PTTL', KEYS[1])
    if left > 0 then return {1, raw, left, generation, now} end
  end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2, '', 0, generation, now}
end
return {0, '', redis.call('PTTL', KEYS[2]), generation, now}
`);

/**
 * Writes an answer unless the user was invalidated since the read (generation changed) or its end is past; then
 * releases the lock if still held with the token.
 * KEYS: answer, lock, generation, user's answer set. ARGV: answer JSON, expire-at (store ms), generation, token or ''.
 * Returns 1 when written, 0 when not.
 */
export const WRITE = script('write', `${PRELUDE}
local written = 0
if (redis.call('GET', KEYS[3]) or '0') == ARGV[3] then
  local life = math.floor(tonumber(ARGV[2]) - now)
  if life > 0 then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', life)
    redis.call('SADD', KEYS[4], KEYS[1])
    if redis.call('PTTL', KEYS[4]) < life then redis.call('PEXPIRE', KEYS[4], life) end
    written = 1
  end
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
return written
`);

/** Releases the lock if still held with the token. KEYS: lock. ARGV: token. */
export const RELEASE = script('release', `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * Invalidates a user: bumps the generation (fencing out writes of answers asked for before), deletes the session
 * answer of one app ('app') or of every app ('user'), or none ('authz'), and in every mode every authorization answer
 * of the user; publishes the invalidation.
 * KEYS: generation, user's answer set, user's authorization answer set[, one answer]. ARGV: generation TTL ms,
 * channel, message, mode ('user' | 'app' | 'authz').
 * Returns how many answers were deleted.
 */
export const INVALIDATE = script('invalidate', `
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local dropped = 0
local function drop(set)
  for _, key in ipairs(redis.call('SMEMBERS', set)) do dropped = dropped + redis.call('DEL', key) end
  redis.call('DEL', set)
end
if ARGV[4] == 'app' then
  dropped = redis.call('DEL', KEYS[4])
  redis.call('SREM', KEYS[2], KEYS[4])
elseif ARGV[4] == 'user' then
  drop(KEYS[2])
end
drop(KEYS[3])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return dropped
`);

/** The current epoch (see `epochKey`). KEYS: epoch. Returns it ('0' when never raised). */
export const EPOCH = script('epoch', `
return redis.call('GET', KEYS[1]) or '0'
`);

/**
 * Invalidates every user: raises an epoch (every key of that kind moves, old answers and writes of answers asked for
 * before are out of reach) and publishes it. KEYS: epoch. ARGV: channel, sender's origin, the message's field for the
 * epoch ('all': every answer; 'authz': authorization answers). Returns the new epoch.
 */
export const INVALIDATE_ALL = script('invalidate-all', `
local epoch = redis.call('INCR', KEYS[1])
local message = {o = ARGV[2]}
message[ARGV[3]] = epoch
redis.call('PUBLISH', ARGV[1], cjson.encode(message))
return epoch
`);
