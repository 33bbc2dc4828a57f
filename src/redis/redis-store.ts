import { randomBytes, randomUUID } from 'node:crypto';
import type {
  InvalidateRequest,
  ReadRequest,
  SharedStore,
  SharedStoreScope,
  SharedStoreSession,
  SharedStoreSettings,
  StoredAnswer,
  StoreRead,
  WriteRequest,
} from '../core/shared-store';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import { clientKind } from './client-kind';
import { openConnections, type RedisClientLike, type RedisConnections } from './connections';
import { authorizationEpochKey, epochKey, generationFields, invalidationChannel, userKeys } from './keys';
import { EPOCH, INVALIDATE, INVALIDATE_ALL, READ, RELEASE, WRITE } from './scripts';

/** Options of {@link redisStore}. Any other key is a `TypeError` naming it. */
export interface RedisStoreOptions {
  /**
   * A node-redis v5 client (`createClient({ url })`, `createCluster({ rootNodes })` or `createSentinel({ name,
   * sentinelRootNodes })` from `redis`) or an ioredis 5 client (`new Redis(url)`, `new Redis({ sentinels, name })` or
   * `new Redis.Cluster(nodes)`); anything else is a `TypeError`. Its settings (addresses, TLS, credentials, database,
   * ioredis `keyPrefix`) are reused: each guard using the store opens connections of its own, one for calls (with
   * no offline queue, so that an outage fails fast instead of queueing; on a cluster, a cluster client) and one
   * subscribed to invalidations (on a cluster, a plain connection to one primary, checked with a PING every
   * `heartbeatMs` and moved to another primary when lost), and `guard.close()` closes them. `client` itself is not
   * used, connected or closed by the store, but for a node-redis Sentinel client, which cannot be duplicated: the
   * store's calls go through it, and the store connects it (and then closes it on `guard.close()`) if it is not yet.
   */
  client: RedisClientLike;
  /**
   * The start of every key and channel name. Keys are `<prefix>:{<host>:<accessKeyId>:<userId>}:...`. Guards of
   * versions that lay keys out differently must not share a prefix: the default changes with the layout.
   * @default 'gsg:v2'
   */
  prefix?: string;
  /**
   * Longest wait for one Redis call, in ms; past it the lookup goes on without Redis (in-process cache, GenAuth).
   * @default 250
   */
  timeoutMs?: number;
  /**
   * After a failed or timed-out call, how long (ms) the guard skips Redis before one call tries it again (a
   * reconnection also ends the wait).
   * @default 1000
   */
  retryAfterMs?: number;
  /**
   * How long the lock of one lookup lives in Redis, in ms: replicas that miss the same user at once wait for the one
   * holding it, at most this long (a holder that died) before asking GenAuth themselves.
   * @default timeoutMs × (retries + 1) of the guard, plus its backoffs and 500 ms
   */
  lockMs?: number;
  /**
   * On a cluster, how often (ms) the invalidation subscriber's connection is checked with a PING.
   * One not answered by the next check (a node frozen or gone) makes the subscription unconfirmed: the store is
   * reported `down` and the subscription is opened again on another node; once it is confirmed, every in-process
   * answer is dropped (invalidations may have been missed meanwhile), as after a lost connection to one Redis.
   * @default 1000
   */
  heartbeatMs?: number;
}

const REDIS_STORE_OPTION_KEYS = { client: true, prefix: true, timeoutMs: true, retryAfterMs: true, lockMs: true, heartbeatMs: true } as const satisfies OptionKeys<RedisStoreOptions>;

const PREFIX = 'genauth-session-guard:';

function positiveInteger(value: unknown, name: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 2_147_483_647) {
    throw new TypeError(`${PREFIX} redisStore \`${name}\` must be a positive integer (ms), got ${String(value)}.`);
  }
  return value;
}

/**
 * Redis as a shared second tier behind each replica's in-process cache: pass it as the guard's `store`.
 * Answers (a boolean and two times per user and app, no token, no secret) are shared with the same TTLs, one
 * replica asks GenAuth while the others wait for its answer, and `guard.invalidate` reaches every replica through
 * pub/sub. Redis trouble is not an outage: the guard goes on with its in-process cache and GenAuth.
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { redisStore } from 'genauth-session-guard/redis';
 * const guard = createSessionGuard({ identity, store: redisStore({ client: createClient({ url: process.env.REDIS_URL }) }) });
 * ```
 */
export function redisStore(options: RedisStoreOptions): SharedStore {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${PREFIX} redisStore({ client }) needs options.`);
  assertKnownKeys(options, REDIS_STORE_OPTION_KEYS, 'redisStore options');
  const { client } = options;
  clientKind(client);
  const prefix = options.prefix ?? 'gsg:v2';
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new TypeError(`${PREFIX} redisStore \`prefix\` must be a non-empty string without braces.`);
  }
  const lockMs = positiveInteger(options.lockMs, 'lockMs', undefined);
  const heartbeatMs = positiveInteger(options.heartbeatMs, 'heartbeatMs', 1_000)!;
  const settings: SharedStoreSettings = {
    timeoutMs: positiveInteger(options.timeoutMs, 'timeoutMs', 250)!,
    retryAfterMs: positiveInteger(options.retryAfterMs, 'retryAfterMs', 1_000)!,
    ...(lockMs === undefined ? {} : { lockMs }),
  };
  return {
    settings,
    attach: (scope) => new RedisStoreSession(client, prefix, scope, settings, heartbeatMs),
  };
}

/**
 * One user's invalidation: `a`, the app of a session answer; `z: 1`, authorization answers only. (Replicas of an
 * older version read a `z` message as an invalidation of every answer of the user: more, never less.)
 */
interface InvalidationMessage {
  /** The sending session. */
  o: string;
  u: string;
  a?: string;
  z?: 1;
}

/** The two tokens: `all` replaced by `invalidateAll`, `authz` by `invalidateAuthorization()`. */
type TokenKind = 'all' | 'authz';

/** `invalidateAll` (`all`) or `invalidateAuthorization()` (`authz`): the new token of that kind. */
interface TokenMessage {
  o: string;
  kind: TokenKind;
  token: string;
}

/** A generation or a token as this package makes them (checked again by the scripts, `nonce`). */
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

/** A fresh generation or token: 96 random bits, base64url (16 characters). */
function nonce(): string {
  return randomBytes(12).toString('base64url');
}

function parseMessage(text: string): InvalidationMessage | TokenMessage | undefined {
  try {
    const message = JSON.parse(text) as Partial<InvalidationMessage & Record<TokenKind, unknown>>;
    if (typeof message !== 'object' || message === null || typeof message.o !== 'string') return undefined;
    for (const kind of ['all', 'authz'] as const) {
      const token = message[kind];
      if (typeof token === 'string' && NONCE.test(token)) return { o: message.o, kind, token };
    }
    if (typeof message.u !== 'string' || message.u === '') return undefined;
    if (message.a !== undefined && typeof message.a !== 'string') return undefined;
    if (message.z !== undefined && message.z !== 1) return undefined;
    return message as InvalidationMessage;
  } catch {
    return undefined;
  }
}

/** What an answer carries besides the answer: the generation it was written under and its writer's token(s). */
interface Stamp {
  g: string;
  t: string;
}

function encodeAnswer({ active, checkedAt, expiresAt }: StoredAnswer, { g, t }: Stamp): string {
  return JSON.stringify({ a: active ? 1 : 0, c: checkedAt, e: expiresAt, g, t });
}

/**
 * An answer as written by encodeAnswer under `expected` (the generation and tokens now), or `undefined` for anything
 * else (a miss for that key, not a store error).
 */
function decodeAnswer(text: string, expected: Stamp): StoredAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { a, c, e, g, t } = value as { a?: unknown; c?: unknown; e?: unknown; g?: unknown; t?: unknown };
  if ((a !== 0 && a !== 1) || typeof c !== 'number' || typeof e !== 'number' || !Number.isFinite(c) || !Number.isFinite(e)) {
    return undefined;
  }
  if (g !== expected.g || t !== expected.t) return undefined;
  return { active: a === 1, checkedAt: c, expiresAt: e };
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

function integer(value: unknown): number {
  const number = typeof value === 'number' ? value : Number(text(value));
  if (!Number.isFinite(number)) throw new Error('store read: malformed reply');
  return number;
}

/** The generation of a read, as handed to the guard (opaque to it): `<token(s)>|<generation(s)>`. */
function generationOf(tokens: string, generation: string): string {
  return `${tokens}|${generation}`;
}

class RedisStoreSession implements SharedStoreSession {
  readonly #connections: RedisConnections;
  readonly #prefix: string;
  readonly #host: string;
  readonly #accessKeyId: string;
  readonly #channel: string;
  readonly #retryAfterMs: number;
  /** This session's id in its messages, so that it skips its own. */
  readonly #origin = randomUUID();
  readonly #tokenKeys: Record<TokenKind, string>;
  /**
   * The tokens this replica holds: read from Redis once per connection (a token missing there is made then), and
   * replaced by the messages received meanwhile and by this replica's own invalidateAll.
   */
  readonly #tokens: Partial<Record<TokenKind, string>> = {};
  /** How many times each token was adopted from a message or a reply: a read that saw one change drops that token. */
  readonly #adopted: Record<TokenKind, number> = { all: 0, authz: 0 };
  /** Tokens this replica stored (invalidateAll) whose own message has not come back yet. */
  readonly #own = new Set<string>();
  #tokenRead: Promise<void> | undefined;
  /** When a token read last failed (performance.now()), and the node (on a cluster) that failed it. */
  #tokenFailedAt = -Infinity;
  #tokenFailedShard: string | undefined;
  readonly #timeoutMs: number;
  /** When the tokens were last read again after an answer carried others (performance.now()). */
  #lastReread = -Infinity;
  #commandsUp = false;

  constructor(client: RedisClientLike, prefix: string, scope: SharedStoreScope, { retryAfterMs, timeoutMs }: SharedStoreSettings, heartbeatMs: number) {
    this.#prefix = prefix;
    this.#host = scope.host;
    this.#accessKeyId = scope.accessKeyId;
    this.#retryAfterMs = retryAfterMs;
    this.#timeoutMs = timeoutMs;
    this.#channel = invalidationChannel(prefix, scope.host, scope.accessKeyId);
    this.#tokenKeys = {
      all: epochKey(prefix, scope.host, scope.accessKeyId),
      authz: authorizationEpochKey(prefix, scope.host, scope.accessKeyId),
    };
    const { listener } = scope;
    this.#connections = openConnections(client, { channel: this.#channel, heartbeatMs }, {
      message: (raw) => {
        const message = parseMessage(raw);
        if (!message) return;
        if ('kind' in message) {
          const { kind, token } = message;
          // In the channel's order, own messages included: the last one received is the newest.
          this.#own.delete(token);
          this.#adopt(kind, token);
          if (message.o === this.#origin) return;
          if (kind === 'all') listener.invalidatedAll();
          else listener.invalidatedAuthorization(undefined);
        } else if (message.o !== this.#origin) {
          if (message.z === 1) listener.invalidatedAuthorization(message.u);
          else listener.invalidated(message.u, message.a);
        }
      },
      status: (commands, subscribed) => {
        // A new connection may be to a restarted Redis: read the tokens again before the next call.
        if (commands && !this.#commandsUp) {
          this.#tokenRead = undefined;
          this.#tokenFailedAt = -Infinity;
        }
        this.#commandsUp = commands;
        listener.status({ commands, subscribed });
      },
      resubscribed: () => {
        this.#tokenRead = undefined;
        listener.resubscribed();
      },
      error: (error, operation) => listener.error(error, operation),
    });
  }

  get ready(): boolean {
    return this.#connections.ready;
  }

  readonly authorization = true;

  /** On a cluster, the node that holds the user's keys (one hash slot): a failure there is that node's alone. */
  shardOf(userId: string): string | undefined {
    return this.#connections.nodeOf(this.#keys(userId).generation);
  }

  whenReady(): Promise<void> {
    return this.#connections.whenReady();
  }

  async read(appId: string, userId: string, request: ReadRequest): Promise<StoreRead> {
    const tokens = this.#tokensOf(await this.#currentTokens(), request.policy);
    const keys = this.#keys(userId);
    const { answer, lock, fields } = this.#slot(keys, appId, request.policy);
    const reply = await this.#connections.run(
      READ,
      [answer, lock, keys.generation],
      [
        request.lockToken,
        String(request.lockMs),
        String(request.now),
        request.newerThan === undefined ? '' : String(request.newerThan),
        String(request.ttlMs),
        String(request.inactiveTtlMs),
        // A generation made by this read lives until an answer written after it could (the write stretches it).
        String(Math.max(request.ttlMs, request.inactiveTtlMs) + request.lockMs),
        tokens,
        ...fields.flatMap((field) => [field, nonce()]),
      ],
    );
    if (!Array.isArray(reply) || reply.length !== 6) throw new Error('store read: malformed reply');
    const [kind, raw, left, generationReply, storeNow, other] = reply as unknown[];
    const generation = text(generationReply);
    // An answer that would have served but for its tokens: this replica may hold tokens Redis lost.
    if (text(other) !== '' && text(other) !== tokens) this.#reread();
    // The tokens travel with the generation, so that the write embeds what this read held.
    const common = { generation: generationOf(tokens, generation), storeNow: integer(storeNow) };
    switch (integer(kind)) {
      case 1: {
        const answer = decodeAnswer(text(raw), { g: generation, t: tokens });
        return answer ? { kind: 'answer', answer, remainingMs: integer(left), ...common } : { kind: 'unusable', ...common };
      }
      case 2:
        return { kind: 'locked', ...common };
      default:
        return { kind: 'busy', lockRemainingMs: integer(left), ...common };
    }
  }

  async write(appId: string, userId: string, answer: StoredAnswer, request: WriteRequest): Promise<boolean> {
    const match = /^([A-Za-z0-9_.-]+)\|([A-Za-z0-9_.-]+)$/.exec(request.generation);
    if (!match) throw new Error('store write: malformed generation');
    const [, tokens, generation] = match as unknown as [string, string, string];
    const { policy } = request;
    const keys = this.#keys(userId);
    const { answer: answerKey, lock, set, fields } = this.#slot(keys, appId, policy);
    // Read under other tokens than this replica holds now (an invalidateAll or invalidateAuthorization() since, or
    // tokens read again): the answer may predate it, and is not written.
    if (tokens !== this.#tokensOf(this.#tokens, policy)) {
      if (request.lockToken !== undefined) await this.#connections.run(RELEASE, [lock], [request.lockToken]);
      return false;
    }
    const reply = await this.#connections.run(
      WRITE,
      [answerKey, lock, set, keys.generation],
      [encodeAnswer(answer, { g: generation, t: tokens }), String(request.expireAtStoreMs), generation, request.lockToken ?? '', ...fields],
    );
    return integer(reply) === 1;
  }

  async release(appId: string, userId: string, lockToken: string, policy?: string): Promise<void> {
    await this.#connections.run(RELEASE, [this.#slot(this.#keys(userId), appId, policy).lock], [lockToken]);
  }

  async invalidate(userId: string, appId: string | undefined, request: InvalidateRequest): Promise<void> {
    const keys = this.#keys(userId);
    const only = request.authorizationOnly === true;
    const message: InvalidationMessage = only
      ? { o: this.#origin, u: userId, z: 1 }
      : appId === undefined ? { o: this.#origin, u: userId } : { o: this.#origin, u: userId, a: appId };
    const mode = only ? 'authz' : appId === undefined ? 'user' : 'app';
    const { user, app, authorization } = generationFields;
    const [scripted, fields] = mode === 'authz'
      ? [[keys.generation, keys.authorizations], [authorization]]
      : mode === 'user'
        ? [[keys.generation, keys.authorizations, keys.answers], [user, authorization]]
        : [[keys.generation, keys.authorizations, keys.answers, keys.answer(appId!)], [app(appId!), authorization]];
    await this.#connections.run(
      INVALIDATE,
      scripted,
      [String(request.generationTtlMs), this.#channel, JSON.stringify(message), mode, ...fields.flatMap((field) => [field, nonce()])],
    );
  }

  invalidateAll(): Promise<void> {
    return this.#raise('all');
  }

  invalidateAuthorization(): Promise<void> {
    return this.#raise('authz');
  }

  async #raise(kind: TokenKind): Promise<void> {
    const token = nonce();
    this.#own.add(token);
    try {
      await this.#connections.run(INVALIDATE_ALL, [this.#tokenKeys[kind]], [this.#channel, this.#origin, kind, token]);
      // Its own message may have come first, and newer ones after it: then the messages have the last word.
      if (this.#own.has(token)) this.#adopt(kind, token);
    } finally {
      this.#own.delete(token);
    }
  }

  close(): Promise<void> {
    return this.#connections.close();
  }

  #adopt(kind: TokenKind, token: string): void {
    this.#tokens[kind] = token;
    this.#adopted[kind]++;
  }

  /** The token(s) an answer embeds: the `all` token, and for an authorization answer the `authz` one too. */
  #tokensOf(tokens: Partial<Record<TokenKind, string>>, policy: string | undefined): string {
    return policy === undefined ? `${tokens.all}` : `${tokens.all}.${tokens.authz}`;
  }

  /**
   * The tokens, read from Redis first when not known on this connection (bounded by the guard's call timeout). Two
   * calls: each token key is in a Cluster slot of its own.
   */
  async #currentTokens(): Promise<Partial<Record<TokenKind, string>>> {
    const cluster = this.#connections.nodeOf(this.#tokenKeys.all) !== undefined;
    if (!this.#tokenRead) {
      // On a cluster, tokens that could not be read lately fail a read at once, naming their node: the reader's own
      // node is not to blame, and a node that is away costs one failed read per retryAfterMs, not one per lookup.
      if (cluster && performance.now() - this.#tokenFailedAt < this.#retryAfterMs) {
        throw Object.assign(new Error('store read: tokens unavailable'), { shard: this.#tokenFailedShard });
      }
      this.#readTokens();
    }
    const reading = this.#tokenRead!;
    if (!cluster) {
      await reading;
      return this.#tokens;
    }
    // Within most of the call's budget, so that a token node that froze is named before the guard's timeout.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const shard = this.#connections.nodeOf(this.#tokenKeys.all);
        this.#tokenFailed(reading, shard);
        reject(Object.assign(new Error(`store read: no token from ${shard} in time`), { shard }));
      }, Math.max(1, Math.floor(this.#timeoutMs * 0.8)));
    });
    try {
      await Promise.race([reading, late]);
    } finally {
      clearTimeout(timer);
    }
    return this.#tokens;
  }

  /** A token read failed: cluster reads fail fast for retryAfterMs, naming `shard`; the next one reads again. */
  #tokenFailed(reading: Promise<void>, shard: string | undefined): void {
    this.#tokenFailedAt = performance.now();
    this.#tokenFailedShard = shard;
    if (this.#tokenRead === reading) this.#tokenRead = undefined;
  }

  #readTokens(): void {
    const before = { ...this.#adopted };
    const run = async (kind: TokenKind) => {
      const key = this.#tokenKeys[kind];
      let reply: unknown;
      try {
        reply = await this.#connections.run(EPOCH, [key], [nonce()]);
      } catch (error) {
        const shard = this.#connections.nodeOf(key);
        throw shard !== undefined && typeof error === 'object' && error !== null ? Object.assign(error, { shard }) : error;
      }
      const token = text(reply);
      if (!NONCE.test(token)) throw new Error('store read: malformed token');
      // A message (or this replica's own invalidateAll) set this token while the read was under way: the read may
      // have been answered before that, so it does not replace it.
      if (this.#adopted[kind] === before[kind]) this.#tokens[kind] = token;
    };
    const reading = Promise.all([run('all'), run('authz')]).then(() => undefined);
    this.#tokenRead = reading;
    reading.catch((error: unknown) => {
      this.#tokenFailed(reading, (error as { shard?: string } | undefined)?.shard);
    });
  }

  /** Reads the tokens again, at most once per retryAfterMs. */
  #reread(): void {
    const now = performance.now();
    if (now - this.#lastReread < this.#retryAfterMs) return;
    this.#lastReread = now;
    this.#readTokens();
  }

  #keys(userId: string) {
    return userKeys(this.#prefix, this.#host, this.#accessKeyId, userId);
  }

  /**
   * The answer and lock keys of a session answer (`policy` undefined) or an authorization answer, its set, and the
   * fields of the generation hash it is written under.
   */
  #slot(keys: ReturnType<typeof userKeys>, appId: string, policy: string | undefined) {
    return policy === undefined
      ? { answer: keys.answer(appId), lock: keys.lock(appId), set: keys.answers, fields: [generationFields.user, generationFields.app(appId)] }
      : { answer: keys.authorization(appId, policy), lock: keys.authorizationLock(appId, policy), set: keys.authorizations, fields: [generationFields.authorization] };
  }
}
