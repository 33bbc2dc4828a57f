import { randomUUID } from 'node:crypto';
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
import { clientKind, openConnections, type RedisClientLike, type RedisConnections } from './connections';
import { authorizationEpochKey, epochKey, invalidationChannel, userKeys } from './keys';
import { EPOCH, INVALIDATE, INVALIDATE_ALL, READ, RELEASE, WRITE } from './scripts';

/** Options of {@link redisStore}. Any other key is a `TypeError` naming it. */
export interface RedisStoreOptions {
  /**
   * A node-redis v5 client (`createClient({ url })` from `redis`) or an ioredis client (`new Redis(url)`). Its
   * settings (address, TLS, credentials, database, ioredis `keyPrefix`) are reused: each guard using the store opens
   * two connections of its own with `client.duplicate()`, one for calls (with no offline queue, so that an outage
   * fails fast instead of queueing) and one subscribed to invalidations, and `guard.close()` closes them. `client`
   * itself is not used, connected or closed by the store.
   */
  client: RedisClientLike;
  /**
   * The start of every key and channel name. Keys are `<prefix>:{<host>:<accessKeyId>:<userId>}:...`.
   * @default 'gsg:v1'
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
}

const REDIS_STORE_OPTION_KEYS = { client: true, prefix: true, timeoutMs: true, retryAfterMs: true, lockMs: true } as const satisfies OptionKeys<RedisStoreOptions>;

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
  const prefix = options.prefix ?? 'gsg:v1';
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new TypeError(`${PREFIX} redisStore \`prefix\` must be a non-empty string without braces.`);
  }
  const lockMs = positiveInteger(options.lockMs, 'lockMs', undefined);
  const settings: SharedStoreSettings = {
    timeoutMs: positiveInteger(options.timeoutMs, 'timeoutMs', 250)!,
    retryAfterMs: positiveInteger(options.retryAfterMs, 'retryAfterMs', 1_000)!,
    ...(lockMs === undefined ? {} : { lockMs }),
  };
  return {
    settings,
    attach: (scope) => new RedisStoreSession(client, prefix, scope),
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

/**
 * `invalidateAll` (`all`) or `invalidateAuthorization()` (`authz`): the new epoch of that kind. (Replicas of an older
 * version ignore these: they have no `u`.)
 */
interface EpochMessage {
  o: string;
  kind: 'all' | 'authz';
  epoch: number;
}

function parseMessage(text: string): InvalidationMessage | EpochMessage | undefined {
  try {
    const message = JSON.parse(text) as Partial<InvalidationMessage & { all: number; authz: number }>;
    if (typeof message !== 'object' || message === null || typeof message.o !== 'string') return undefined;
    for (const kind of ['all', 'authz'] as const) {
      const epoch = message[kind];
      if (Number.isSafeInteger(epoch) && epoch! > 0) return { o: message.o, kind, epoch: epoch! };
    }
    if (typeof message.u !== 'string' || message.u === '') return undefined;
    if (message.a !== undefined && typeof message.a !== 'string') return undefined;
    if (message.z !== undefined && message.z !== 1) return undefined;
    return message as InvalidationMessage;
  } catch {
    return undefined;
  }
}

/** The epochs every key carries: `all` raised by `invalidateAll`, `authz` (authorization keys) by `invalidateAuthorization()`. */
interface Epochs {
  all: number;
  authz: number;
}

function encodeAnswer({ active, checkedAt, expiresAt }: StoredAnswer): string {
  return JSON.stringify({ a: active ? 1 : 0, c: checkedAt, e: expiresAt });
}

/** An answer as written by encodeAnswer, or `undefined` for anything else (a miss for that key, not a store error). */
function decodeAnswer(text: string): StoredAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { a, c, e } = value as { a?: unknown; c?: unknown; e?: unknown };
  if ((a !== 0 && a !== 1) || typeof c !== 'number' || typeof e !== 'number' || !Number.isFinite(c) || !Number.isFinite(e)) {
    return undefined;
  }
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

class RedisStoreSession implements SharedStoreSession {
  readonly #connections: RedisConnections;
  readonly #prefix: string;
  readonly #host: string;
  readonly #accessKeyId: string;
  readonly #channel: string;
  /** This session's id in its messages, so that it skips its own. */
  readonly #origin = randomUUID();
  readonly #epochKeys: Record<keyof Epochs, string>;
  /**
   * The epochs the keys carry, read from Redis once per connection (a restarted, emptied Redis starts again at 0) and
   * raised by the messages received meanwhile.
   */
  readonly #epochs: Epochs = { all: 0, authz: 0 };
  #epochRead: Promise<void> | undefined;
  /** The highest epochs announced by messages since the last read started. */
  #announced: Epochs = { all: 0, authz: 0 };
  #commandsUp = false;

  constructor(client: RedisClientLike, prefix: string, scope: SharedStoreScope) {
    this.#prefix = prefix;
    this.#host = scope.host;
    this.#accessKeyId = scope.accessKeyId;
    this.#channel = invalidationChannel(prefix, scope.host, scope.accessKeyId);
    this.#epochKeys = {
      all: epochKey(prefix, scope.host, scope.accessKeyId),
      authz: authorizationEpochKey(prefix, scope.host, scope.accessKeyId),
    };
    const { listener } = scope;
    this.#connections = openConnections(client, this.#channel, {
      message: (raw) => {
        const message = parseMessage(raw);
        if (!message) return;
        if ('kind' in message) {
          const { kind, epoch } = message;
          this.#announced[kind] = Math.max(this.#announced[kind], epoch);
          this.#epochs[kind] = Math.max(this.#epochs[kind], epoch);
          if (message.o === this.#origin) return;
          if (kind === 'all') listener.invalidatedAll();
          else listener.invalidatedAuthorization(undefined);
        } else if (message.o !== this.#origin) {
          if (message.z === 1) listener.invalidatedAuthorization(message.u);
          else listener.invalidated(message.u, message.a);
        }
      },
      status: (commands, subscribed) => {
        // A new connection may be to a restarted Redis: read the epoch again before the next call.
        if (commands && !this.#commandsUp) this.#epochRead = undefined;
        this.#commandsUp = commands;
        listener.status({ commands, subscribed });
      },
      resubscribed: () => {
        this.#epochRead = undefined;
        listener.resubscribed();
      },
      error: (error, operation) => listener.error(error, operation),
    });
  }

  get ready(): boolean {
    return this.#connections.ready;
  }

  readonly authorization = true;

  whenReady(): Promise<void> {
    return this.#connections.whenReady();
  }

  async read(appId: string, userId: string, request: ReadRequest): Promise<StoreRead> {
    const epochs = await this.#currentEpochs();
    const keys = this.#keys(userId, epochs);
    const { answer, lock } = this.#slot(keys, appId, request.policy);
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
      ],
    );
    if (!Array.isArray(reply) || reply.length !== 5) throw new Error('store read: malformed reply');
    const [kind, raw, left, generation, storeNow] = reply as unknown[];
    // The epochs travel with the generation, so that the write goes to the keys this read saw.
    const common = { generation: `${epochs.all}.${epochs.authz}/${text(generation)}`, storeNow: integer(storeNow) };
    switch (integer(kind)) {
      case 1: {
        const answer = decodeAnswer(text(raw));
        return answer ? { kind: 'answer', answer, remainingMs: integer(left), ...common } : { kind: 'unusable', ...common };
      }
      case 2:
        return { kind: 'locked', ...common };
      default:
        return { kind: 'busy', lockRemainingMs: integer(left), ...common };
    }
  }

  async write(appId: string, userId: string, answer: StoredAnswer, request: WriteRequest): Promise<boolean> {
    const match = /^(\d+)\.(\d+)\/(.*)$/s.exec(request.generation);
    if (!match) throw new Error('store write: malformed generation');
    const epochs: Epochs = { all: Number(match[1]), authz: Number(match[2]) };
    const { policy } = request;
    // Read before an invalidateAll (or, for an authorization answer, an invalidateAuthorization()): the answer may
    // predate it, and is not written (its lock is left to expire).
    if (epochs.all < this.#epochs.all || (policy !== undefined && epochs.authz < this.#epochs.authz)) return false;
    const keys = this.#keys(userId, epochs);
    const { answer: answerKey, lock, set } = this.#slot(keys, appId, policy);
    const reply = await this.#connections.run(
      WRITE,
      [answerKey, lock, keys.generation, set],
      [encodeAnswer(answer), String(request.expireAtStoreMs), match[3]!, request.lockToken ?? ''],
    );
    return integer(reply) === 1;
  }

  async release(appId: string, userId: string, lockToken: string, policy?: string): Promise<void> {
    await this.#connections.run(RELEASE, [this.#slot(this.#keys(userId, this.#epochs), appId, policy).lock], [lockToken]);
  }

  async invalidate(userId: string, appId: string | undefined, request: InvalidateRequest): Promise<void> {
    const keys = this.#keys(userId, await this.#currentEpochs());
    const only = request.authorizationOnly === true;
    const message: InvalidationMessage = only
      ? { o: this.#origin, u: userId, z: 1 }
      : appId === undefined ? { o: this.#origin, u: userId } : { o: this.#origin, u: userId, a: appId };
    const mode = only ? 'authz' : appId === undefined ? 'user' : 'app';
    await this.#connections.run(
      INVALIDATE,
      mode === 'app' ? [keys.generation, keys.answers, keys.authorizations, keys.answer(appId!)] : [keys.generation, keys.answers, keys.authorizations],
      [String(request.generationTtlMs), this.#channel, JSON.stringify(message), mode],
    );
  }

  invalidateAll(): Promise<void> {
    return this.#raise('all');
  }

  invalidateAuthorization(): Promise<void> {
    return this.#raise('authz');
  }

  async #raise(kind: keyof Epochs): Promise<void> {
    const epoch = integer(await this.#connections.run(INVALIDATE_ALL, [this.#epochKeys[kind]], [this.#channel, this.#origin, kind]));
    this.#epochs[kind] = Math.max(this.#epochs[kind], epoch);
  }

  close(): Promise<void> {
    return this.#connections.close();
  }

  /**
   * The epochs, read from Redis first when not known on this connection (bounded by the guard's call timeout). Two
   * calls: each epoch key is in a Cluster slot of its own.
   */
  async #currentEpochs(): Promise<Epochs> {
    if (!this.#epochRead) {
      this.#announced = { all: 0, authz: 0 };
      const run = (kind: keyof Epochs) => this.#connections.run(EPOCH, [this.#epochKeys[kind]], []);
      const reading = Promise.all([run('all'), run('authz')]).then(([all, authz]) => {
        // Redis is the truth (it may have been emptied), raised by what was announced since the read started.
        this.#epochs.all = Math.max(integer(all), this.#announced.all);
        this.#epochs.authz = Math.max(integer(authz), this.#announced.authz);
      });
      this.#epochRead = reading;
      reading.catch(() => {
        if (this.#epochRead === reading) this.#epochRead = undefined;
      });
    }
    await this.#epochRead;
    return { ...this.#epochs };
  }

  #keys(userId: string, epochs: Epochs) {
    return userKeys(this.#prefix, this.#host, this.#accessKeyId, userId, epochs.all, epochs.authz);
  }

  /** The answer and lock keys of a session answer (`policy` undefined) or an authorization answer, and its set. */
  #slot(keys: ReturnType<typeof userKeys>, appId: string, policy: string | undefined) {
    return policy === undefined
      ? { answer: keys.answer(appId), lock: keys.lock(appId), set: keys.answers }
      : { answer: keys.authorization(appId, policy), lock: keys.authorizationLock(appId, policy), set: keys.authorizations };
  }
}
