import { createHash } from 'node:crypto';

/*
 * How answers in Redis stay consistent with every invalidation, whatever key Redis loses (eviction under an
 * `allkeys-*` policy, FLUSHALL, a restart without persistence).
 *
 * Values. An answer is JSON `{a, c, e, g, t}`: `a` 1 (active, allowed) or 0, `c` checkedAt and `e` expiresAt (ms, the
 * writer's clock), `g` the generation it was written under and `t` the token(s) its writer held. A session answer has
 * `g` = `<user generation>.<app generation>` and `t` = `<all token>`; an authorization answer `g` = `<authorization
 * generation>` and `t` = `<all token>.<authorization token>`. Generations and tokens are random strings (16 to 64 of
 * `A-Z a-z 0-9 _ -`) chosen by the client (ARGV): never counters, so a key that is lost and made again never takes back
 * a value it had. Anything else in a key (another type, bad JSON, a wrong shape, an older version's value without
 * `g` or `t`) is no usable answer: a miss, never an error.
 *
 * Generations: one hash per user, in the user's hash tag and under no epoch (`gen`), with a field per kind of
 * invalidation: `u` (session answers of every app), `a:<app>` (the session answer of one app), `z` (authorization
 * answers).
 * - READ sets a missing or malformed field (or the whole hash, missing or of another type) to a fresh nonce (TTL at
 *   least the reader's longest answer TTL + lockMs) and serves an answer only if its `g` equals the fields now, and
 *   its `t` the reader's tokens (ARGV).
 * - WRITE writes only if the fields are still those the read saw (`g` of the answer), and stretches the hash's TTL to
 *   the answer's life (as it does the user's answer set): an answer asked for before an invalidation, or before the
 *   hash was lost, is never written.
 * - INVALIDATE replaces fields with fresh nonces (a user: `u` and `z`; one app: `a:<app>` and `z`; authorization
 *   only: `z`), deletes the answers it can find (the user's answer sets) and publishes. Deleting only saves memory:
 *   what makes the old answers unusable is the new generation.
 * So a lost generation makes every answer under it unusable (one more GenAuth call: fail closed); a lost answer set,
 * answer or lock costs a miss; and every replica, whatever tokens it holds, refuses every answer written before an
 * invalidation, because READ compares with the generation in Redis on every read, never with a copy.
 *
 * Tokens (per host and user pool, one key each, a Cluster slot of their own; no per-user script names them): `epoch`
 * (invalidateAll) and `epoch-authz` (invalidateAuthorization()).
 * - EPOCH returns the stored token, storing a fresh one (ARGV) first when it is missing or malformed: replicas that
 *   read after a loss agree on one. A replica reads its tokens once per connection.
 * - INVALIDATE_ALL stores a fresh token and publishes it; every replica adopts the token of such a message (its own
 *   at its reply, unless its message came first: messages on one channel arrive in order, the reply may not).
 * - A token read under way when a message sets that token is dropped for that token: the read may have been answered
 *   before the message's SET.
 * - A write whose read saw other tokens than the replica holds now is not written (the answer may predate an
 *   invalidateAll), and its lock is released.
 * - Convergence: READ returns the token(s) of an answer that would have served but for them; the reader then reads
 *   its tokens again, at most once per retryAfterMs (a replica that kept a token through a loss would otherwise
 *   trade answers with the others forever; a mismatch is safe, only costly).
 * Why no replica serves an answer older than an invalidateAll: an answer with token T was asked of GenAuth after T
 * was stored (its reader held T before the call, and a token is fresh when stored). An invalidateAll stores a fresh T';
 * a replica holding T' (from the message, as its in-process cache is dropped by it) serves only answers with T', all
 * asked after it. Later it can only hold a token read from Redis after the message, that is T' or one stored after
 * T' (a later invalidateAll, or one made afresh after a loss), under the same rule.
 *
 * Not covered: a Redis that loses writes it acknowledged and keeps older ones (a failover to a replica that lagged)
 * can give back an older generation or token together with the answers it covered.
 */

/** A Lua script, sent by its SHA1 (EVALSHA) and in full only when the server does not know it yet. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function script(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

// Every script that writes runs TIME first or draws on ARGV, which needs effects replication: the default since
// Redis 5, asked for explicitly on older servers.
const EFFECTS = `
if redis.replicate_commands then redis.replicate_commands() end
`;

const PRELUDE = `${EFFECTS}
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/** A generation or token as the client writes them: 16 to 64 of `A-Z a-z 0-9 _ -`. */
const NONCE = `
local function nonce(value)
  return type(value) == 'string' and #value >= 16 and #value <= 64 and string.find(value, '^[%w_%-]+$') ~= nil
end
`;

/**
 * `hash(key)`: whether the user's generation hash exists; a key of another type there is deleted (every generation
 * is then made afresh: fail closed). `stretch(key, ms)`: a TTL of at least `ms`.
 */
const GENERATIONS = `
local function hash(key)
  local kind = redis.call('TYPE', key).ok
  if kind ~= 'hash' and kind ~= 'none' then redis.call('DEL', key) end
  return kind == 'hash'
end
local function stretch(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
`;

/**
 * Reads the answer, or takes the lock when there is no usable one. The answer key is input: anything but an answer
 * as the guard writes it (another type, bad JSON, a wrong shape, a non-finite time, a checkedAt after the reader's
 * now, a generation or token other than the current ones) is no usable answer, and so is one beyond the reader's
 * limits (checked at or before newer-than, or older than its own TTL for that kind of answer).
 * KEYS: answer, lock, the user's generation hash.
 * ARGV: lock token, lock ms, reader's now, newer-than checkedAt ('' for any), reader's active TTL ms, reader's
 * inactive TTL ms, TTL ms of a generation made here, the reader's token(s), then per generation field the answer
 * depends on (session: user, app; authorization: authorization) the field and a fresh nonce for it.
 * Returns {1, answer, its PTTL, generation, now, ''} | {2, '', 0, generation, now, other} (lock taken) |
 * {0, '', lock PTTL, generation, now, other} (lock held by another), where other is the token(s) of an answer that
 * would have served but for them ('' otherwise).
 */
export const READ = script('read', `${PRELUDE}${NONCE}${GENERATIONS}
local function finite(x) return type(x) == 'number' and x == x and x > -math.huge and x < math.huge end
hash(KEYS[3])
local generations = {}
local made = false
for i = 9, #ARGV, 2 do
  local value = redis.call('HGET', KEYS[3], ARGV[i])
  if not nonce(value) then
    value = ARGV[i + 1]
    redis.call('HSET', KEYS[3], ARGV[i], value)
    made = true
  end
  generations[#generations + 1] = value
end
if made then stretch(KEYS[3], tonumber(ARGV[7])) end
local generation = table.concat(generations, '.')
local other = ''
local raw = redis.pcall('GET', KEYS[1])
local reader = tonumber(ARGV[3])
if type(raw) == 'string' then
  local ok, answer = pcall(cjson.decode, raw)
  if ok and type(answer) == 'table' and (answer.a == 0 or answer.a == 1)
    and finite(answer.c) and finite(answer.e)
    and answer.c <= reader and answer.e > reader
    and (ARGV[4] == '' or answer.c > tonumber(ARGV[4]))
    and reader - answer.c < tonumber(answer.a == 1 and ARGV[5] or ARGV[6])
    and answer.g == generation and type(answer.t) == 'string' then
    if answer.t == ARGV[8] then
      local left = redis.call('PTTL', KEYS[1])
      if left > 0 then return {1, raw, left, generation, now, ''} end
    elseif #answer.t <= 129 then
      other = answer.t
    end
  end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2, '', 0, generation, now, other}
end
return {0, '', redis.call('PTTL', KEYS[2]), generation, now, other}
`);

/**
 * Writes an answer unless a generation changed since the read (an invalidation, or a loss) or its end is past;
 * stretches the answer set and the generation hash to the answer's life; then releases the lock if still held with
 * the token.
 * KEYS: answer, lock, the answer set, the user's generation hash. ARGV: answer JSON, expire-at (store ms), the read's
 * generation, token or '', then the generation fields as in READ (without nonces).
 * Returns 1 when written, 0 when not.
 */
export const WRITE = script('write', `${PRELUDE}${GENERATIONS}
local written = 0
local generations = {}
local known = hash(KEYS[4])
for i = 5, #ARGV do
  if not known then break end
  local value = redis.call('HGET', KEYS[4], ARGV[i])
  if type(value) ~= 'string' then known = false else generations[#generations + 1] = value end
end
if known and table.concat(generations, '.') == ARGV[3] then
  local life = math.floor(tonumber(ARGV[2]) - now)
  if life > 0 then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', life)
    redis.call('SADD', KEYS[3], KEYS[1])
    stretch(KEYS[3], life)
    stretch(KEYS[4], life)
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
 * Invalidates a user: replaces generation fields with the fresh nonces given (every answer written under the old ones
 * is unusable, and writes of answers asked for before are refused), deletes the session answers of every app
 * ('user') or of one ('app'), or none ('authz'), and in every mode every authorization answer of the user; publishes
 * the invalidation.
 * KEYS: the user's generation hash, the user's authorization answer set, then for 'user' and 'app' the user's answer
 * set, for 'app' the app's answer. ARGV: generation TTL ms, channel, message, mode ('user' | 'app' | 'authz'), then
 * pairs of a generation field and its fresh nonce ('user': user and authorization; 'app': the app's and authorization;
 * 'authz': authorization).
 * Returns how many answers were deleted.
 */
export const INVALIDATE = script('invalidate', `${EFFECTS}${GENERATIONS}
local dropped = 0
local function drop(set)
  local members = redis.pcall('SMEMBERS', set)
  if type(members) == 'table' and not members.err then
    for _, key in ipairs(members) do dropped = dropped + redis.call('DEL', key) end
  end
  redis.call('DEL', set)
end
hash(KEYS[1])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
stretch(KEYS[1], tonumber(ARGV[1]))
if ARGV[4] == 'app' then
  dropped = redis.call('DEL', KEYS[4])
  redis.pcall('SREM', KEYS[3], KEYS[4])
elseif ARGV[4] == 'user' then
  drop(KEYS[3])
end
drop(KEYS[2])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return dropped
`);

/**
 * The current token (see `epochKey`), stored first when missing or malformed. KEYS: the token's key. ARGV: a fresh
 * token. Returns the stored token.
 */
export const EPOCH = script('epoch', `${EFFECTS}${NONCE}
local token = redis.pcall('GET', KEYS[1])
if not nonce(token) then
  token = ARGV[1]
  redis.call('SET', KEYS[1], token)
end
return token
`);

/**
 * Invalidates every user: stores a fresh token (every answer written under another is unusable to a replica holding
 * it) and publishes it. KEYS: the token's key. ARGV: channel, sender's origin, the message's field for the token
 * ('all': every answer; 'authz': authorization answers), the fresh token. Returns it.
 */
export const INVALIDATE_ALL = script('invalidate-all', `${EFFECTS}
redis.call('SET', KEYS[1], ARGV[4])
local message = {o = ARGV[2]}
message[ARGV[3]] = ARGV[4]
redis.call('PUBLISH', ARGV[1], cjson.encode(message))
return ARGV[4]
`);
