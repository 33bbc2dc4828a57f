import { EventEmitter } from 'node:events';
import type { SharedStoreListener, SharedStoreSession } from '../../src/core/shared-store';
import { redisStore } from '../../src/redis';
import { EPOCH, INVALIDATE_ALL, READ, RELEASE, WRITE, type LuaScript } from '../../src/redis/scripts';

/** One script call the fake Redis has not answered yet. */
interface Pending {
  script: LuaScript;
  keys: string[];
  args: string[];
  resolve(value: unknown): void;
}

/**
 * An ioredis-like client whose replies the test gives by hand, in any order, and whose subscriber gets the messages
 * the test publishes: the orders a real Redis allows (a reply and a message travel on two connections) made certain.
 */
function scriptedRedis() {
  const scripts = [EPOCH, INVALIDATE_ALL, READ, RELEASE, WRITE];
  const pending: Pending[] = [];
  const subscribers: Array<{ connection: EventEmitter; channel: string }> = [];
  class Connection extends EventEmitter {
    status = 'wait';
    /** As an ioredis `Redis` (not `Cluster`) says: how redisStore tells the library and the kind apart. */
    isCluster = false;
    async connect() {
      this.status = 'ready';
      this.emit('ready');
    }
    call(_command: string, sha: string, count: string, ...rest: string[]) {
      const script = scripts.find((candidate) => candidate.sha === sha)!;
      const n = Number(count);
      return new Promise((resolve) => pending.push({ script, keys: rest.slice(0, n), args: rest.slice(n), resolve }));
    }
    async subscribe(channel: string) {
      subscribers.push({ connection: this, channel });
    }
    disconnect() {
      this.status = 'end';
    }
  }
  const client = Object.assign(new Connection(), { duplicate: () => new Connection() });
  return {
    client,
    pending,
    /** The calls of one script not answered yet, oldest first. */
    of: (script: LuaScript) => pending.filter((call) => call.script === script),
    answer(call: Pending, value: unknown) {
      pending.splice(pending.indexOf(call), 1);
      call.resolve(value);
    },
    publish(message: object) {
      for (const { connection, channel } of subscribers) connection.emit('message', channel, JSON.stringify(message));
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const token = (letter: string) => letter.repeat(16);
const request = { lockToken: 'lock-1', lockMs: 1_000, now: 1_000, newerThan: undefined, ttlMs: 5_000, inactiveTtlMs: 5_000 };

describe('redisStore: tokens from reads, messages and replies, in every order', () => {
  let redis: ReturnType<typeof scriptedRedis>;
  let session: SharedStoreSession;
  const listener: SharedStoreListener = {
    invalidated: () => undefined,
    invalidatedAll: () => undefined,
    invalidatedAuthorization: () => undefined,
    status: () => undefined,
    resubscribed: () => undefined,
    error: () => undefined,
  };

  beforeEach(async () => {
    redis = scriptedRedis();
    session = redisStore({ client: redis.client, retryAfterMs: 60_000 }).attach({ host: 'https://h', accessKeyId: 'pool', listener });
    await session.whenReady();
    await settle();
  });

  afterEach(() => session.close());

  /** Answers the two token reads under way (`all`, then `authz`). */
  async function tokensRead(all: string, authz: string) {
    await settle();
    const [first, second] = redis.of(EPOCH);
    expect(redis.of(EPOCH)).toHaveLength(2);
    redis.answer(first!, all);
    redis.answer(second!, authz);
    await settle();
  }

  /** The tokens the next READ under way was sent with, then answers it (lock taken, `other` as given). */
  async function readSent(other = ''): Promise<string> {
    await settle();
    const [call] = redis.of(READ);
    expect(call).toBeDefined();
    redis.answer(call!, [2, '', 0, 'generation-nonce1.generation-nonce2', 1_000, other]);
    return call!.args[7]!;
  }

  it('a message that sets a token while the token read is under way is not overwritten by the read', async () => {
    const reading = session.read('app-1', 'alice', request);
    await settle();
    redis.publish({ o: 'another replica', all: token('M') }); // the read may have been answered before its SET
    await tokensRead(token('R'), token('Z'));
    expect(await readSent()).toBe(token('M'));
    expect((await reading).generation).toBe(`${token('M')}|generation-nonce1.generation-nonce2`);
  });

  it("its own invalidateAll: the reply does not take back a newer message that came after its own", async () => {
    const first = session.read('app-1', 'alice', request);
    await tokensRead(token('A'), token('Z'));
    await readSent();
    await first;

    const raising = session.invalidateAll!();
    await settle();
    const [call] = redis.of(INVALIDATE_ALL);
    const own = call!.args[3]!;
    redis.publish({ o: 'itself, or anyone', all: own });
    redis.publish({ o: 'another replica', all: token('N') }); // a later invalidateAll
    redis.answer(call!, own);
    await raising;
    const next = session.read('app-1', 'alice', request);
    expect(await readSent()).toBe(token('N'));
    await next;
  });

  it('its own invalidateAll: the reply before its message is adopted at once', async () => {
    const first = session.read('app-1', 'alice', request);
    await tokensRead(token('A'), token('Z'));
    await readSent();
    await first;

    const raising = session.invalidateAll!();
    await settle();
    const [call] = redis.of(INVALIDATE_ALL);
    const own = call!.args[3]!;
    redis.answer(call!, own);
    await raising;
    const next = session.read('app-1', 'alice', request);
    expect(await readSent()).toBe(own);
    await next;
  });

  it('an answer under other tokens: the tokens are read again, at most once per retryAfterMs', async () => {
    const first = session.read('app-1', 'alice', request);
    await tokensRead(token('A'), token('Z'));
    await readSent(token('B')); // alice's answer carries B: this replica may hold a token Redis lost
    await first;
    await tokensRead(token('B'), token('Z'));
    const second = session.read('app-1', 'bob', request);
    expect(await readSent(token('C'))).toBe(token('B'));
    await second;
    // Within retryAfterMs: no second read, whatever the answers carry.
    await settle();
    expect(redis.of(EPOCH)).toHaveLength(0);
  });

  it('a write whose read saw other tokens is not written, and its lock is released', async () => {
    const reading = session.read('app-1', 'alice', request);
    await tokensRead(token('A'), token('Z'));
    await readSent();
    const { generation } = await reading;
    redis.publish({ o: 'another replica', all: token('N') });
    const writing = session.write('app-1', 'alice', { active: true, checkedAt: 1_000, expiresAt: 2_000 }, { generation, expireAtStoreMs: 2_000, lockToken: 'lock-1' });
    await settle();
    expect(redis.of(WRITE)).toHaveLength(0);
    const [release] = redis.of(RELEASE);
    expect(release!.args).toEqual(['lock-1']);
    redis.answer(release!, 1);
    expect(await writing).toBe(false);
  });
});
