import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { authorizationEpochKey, epochKey, userKeys } from '../../src/redis/keys';
import { manualClock } from '../support/frameworks';
import { startRedis, type RedisServer } from './redis-server';
import { ask, clients, guardFactory, inspector, storesUp, until } from './support';

const APP = 'app-1';

/** A TCP relay in front of Redis that a test can cut and restore: Redis unreachable from one guard only. */
async function relay(targetPort: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () => new Promise<void>((resolve, reject) => {
    server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      port = (server!.address() as AddressInfo).port;
      resolve();
    });
  });
  const cut = () => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server!.close(() => resolve());
  });
  await listen();
  return { get url() { return `redis://127.0.0.1:${port}`; }, cut, restore: listen };
}

describe.each(clients)('values read from Redis are input ($name)', (client) => {
  let redis: RedisServer;
  let raw: Awaited<ReturnType<typeof inspector>>;
  let fake: FakeGenAuth;
  let clock: ReturnType<typeof manualClock>;
  let url: string;
  const factory = guardFactory(() => ({ fake, url: url ?? redis.url, client, clock }));
  const guardOf = factory.make;

  beforeAll(async () => {
    redis = await startRedis();
    raw = await inspector(redis.url);
  });

  afterAll(async () => {
    raw.destroy();
    await redis.stop();
  });

  beforeEach(async () => {
    await raw.flushAll();
    clock = manualClock();
    fake = await createFakeGenAuth({ clock });
    url = redis.url;
  });

  afterEach(async () => {
    await factory.closeAll();
    await fake.close();
  });

  const keysOf = (userId: string) => userKeys('gsg:v2', fake.host, fake.accessKeyId, userId);

  describe('guards with different ttlMs sharing one Redis', () => {
    it("an active answer read from Redis serves until checkedAt + the reader's own ttlMs, not the writer's", async () => {
      const long = guardOf({ cache: { ttlMs: 60_000, refreshAheadMs: 0 } });
      const short = guardOf({ cache: { ttlMs: 1_000, refreshAheadMs: 0 } });
      await storesUp(long, short);
      await fake.login('alice', APP);
      expect(await ask(long, 'alice')).toMatchObject({ status: 200, source: 'upstream' });

      // Read 2.5 s after GenAuth answered: past the reader's own TTL, so it is not used.
      clock.advance(2_500);
      fake.kick('alice');
      expect(await ask(short, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
      expect(fake.calls.check).toBe(2);
    });

    it("a fresh enough one serves only until checkedAt + the reader's ttlMs, not ttlMs from the read", async () => {
      const long = guardOf({ cache: { ttlMs: 60_000, refreshAheadMs: 0 } });
      const short = guardOf({ cache: { ttlMs: 1_000, refreshAheadMs: 0 } });
      await storesUp(long, short);
      await fake.login('alice', APP);
      await ask(long, 'alice');
      clock.advance(500);
      expect(await ask(short, 'alice')).toMatchObject({ status: 200, source: 'cache' });
      fake.kick('alice');
      clock.advance(499);
      expect(await ask(short, 'alice')).toMatchObject({ status: 200, source: 'cache' });
      clock.advance(2); // 1,001 ms after GenAuth answered
      expect(await ask(short, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
      expect(fake.calls.check).toBe(2);
    });

    it("an inactive answer read from Redis serves at most the reader's own inactiveTtlMs", async () => {
      const long = guardOf({ cache: { ttlMs: 5_000, inactiveTtlMs: 60_000 } });
      const short = guardOf({ cache: { ttlMs: 5_000, inactiveTtlMs: 1_000 } });
      await storesUp(long, short);
      fake.addUser('alice');
      expect(await ask(long, 'alice')).toMatchObject({ status: 401 });
      await fake.login('alice', APP);
      clock.advance(1_500);
      expect(await ask(short, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
    });
  });

  describe('garbage in an answer key is a miss for that key, not a store outage', () => {
    const now = () => clock();
    const garbage: Array<[string, () => string]> = [
      ['not JSON', () => 'not json {'],
      ['a JSON array', () => '[1,2,3]'],
      ['a JSON string', () => '"active"'],
      ['fields missing', () => '{"a":1}'],
      ['a boolean for a', () => JSON.stringify({ a: true, c: now(), e: now() + 60_000 })],
      ['a string for c', () => JSON.stringify({ a: 1, c: String(now()), e: now() + 60_000 })],
      ['non-finite times', () => '{"a":1,"c":1e999,"e":1e999}'],
      ['an expiry that never comes', () => `{"a":1,"c":${now()},"e":1e999}`],
      ['a checkedAt in the future', () => JSON.stringify({ a: 1, c: now() + 30_000, e: now() + 60_000 })],
      ['a checkedAt far in the past with a far expiry', () => JSON.stringify({ a: 1, c: 0, e: now() + 60_000 })],
      // Under the same prefix (a prefix of one's own kept through an upgrade): unusable, it may predate an invalidation.
      ['an answer of an older version (no generation, no token)', () => JSON.stringify({ a: 1, c: now(), e: now() + 60_000 })],
      ['a generation and token that are not the current ones', () => JSON.stringify({ a: 1, c: now(), e: now() + 60_000, g: 'A'.repeat(16), t: 'B'.repeat(16) })],
    ];

    it.each(garbage)('%s: GenAuth is asked, the kicked user is refused, others are still served by Redis', async (_label, value) => {
      const a = guardOf({ cache: { ttlMs: 5_000, refreshAheadMs: 0 } });
      const b = guardOf({ cache: { ttlMs: 5_000, refreshAheadMs: 0 } });
      await storesUp(a, b);
      await fake.login('bob', APP);
      expect(await ask(a, 'bob')).toMatchObject({ status: 200, source: 'upstream' });
      fake.addUser('alice'); // no session: any "active" answer for alice is a wrong pass
      await raw.set(keysOf('alice').answer(APP), value(), { PX: 60_000 });
      const before = fake.calls.check;

      expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive', });
      expect(fake.calls.check).toBe(before + 1);
      expect(await ask(b, 'bob')).toMatchObject({ status: 200, source: 'cache' });
      expect(b.stats()).toMatchObject({ store: 'up', storeErrors: 0, storeHits: 1 });
      // Written over with GenAuth's answer, which the other guard now reads.
      const stored = JSON.parse((await raw.get(keysOf('alice').answer(APP)))!);
      expect(stored).toMatchObject({ a: 0, c: clock() });
      expect(await ask(a, 'alice')).toMatchObject({ status: 401 });
      expect(a.stats()).toMatchObject({ storeHits: 1, storeErrors: 0 });
      expect(fake.calls.check).toBe(before + 1);
    });

    it('a key of another type (a hash) is a miss too', async () => {
      const a = guardOf();
      await storesUp(a);
      fake.addUser('alice');
      await fake.login('bob', APP);
      await raw.hSet(keysOf('alice').answer(APP), { a: '1' });
      expect(await ask(a, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
      expect(await ask(a, 'bob')).toMatchObject({ status: 200 });
      expect(a.stats()).toMatchObject({ store: 'up', storeErrors: 0 });
      expect(JSON.parse((await raw.get(keysOf('alice').answer(APP)))!)).toMatchObject({ a: 0 });
    });
  });

  /** Two guards share alice's session and role answers: one call each, no store error. */
  async function sharedAsUsual() {
    const a = guardOf();
    const b = guardOf();
    await storesUp(a, b);
    await fake.login('alice', APP);
    fake.assignRole('alice', 'admin');
    expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
    expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' });
    expect(await a.checkRoles('alice', ['admin'], { appId: APP })).toBe(true);
    expect(await b.checkRoles('alice', ['admin'], { appId: APP })).toBe(true);
    expect(fake.calls).toMatchObject({ check: 1, roles: 1 });
    for (const guard of [a, b]) expect(guard.stats()).toMatchObject({ store: 'up', storeErrors: 0 });
  }

  const NONCE = /^[A-Za-z0-9_-]{16}$/;

  it('garbage in a token key, or a generation key of another type, is replaced by a fresh one: never "store down"', async () => {
    const tokens = [epochKey('gsg:v2', fake.host, fake.accessKeyId), authorizationEpochKey('gsg:v2', fake.host, fake.accessKeyId)];
    await raw.hSet(tokens[0]!, { a: '1' }); // another type
    await raw.set(tokens[1]!, '2'); // an older version's counter
    await raw.sAdd(keysOf('alice').generation, 'x'); // a set, not a hash
    await sharedAsUsual();
    for (const key of tokens) expect(await raw.get(key)).toMatch(NONCE);
    expect(Object.values(await raw.hGetAll(keysOf('alice').generation))).toEqual([expect.stringMatching(NONCE), expect.stringMatching(NONCE), expect.stringMatching(NONCE)]);
  });

  it('garbage in the fields of a generation hash is replaced by fresh nonces', async () => {
    const key = keysOf('alice').generation;
    await raw.hSet(key, { u: 'x'.repeat(65), [`a:${APP}`]: 'a.b-c_d:e%f!ghijklmnop', z: '' });
    await sharedAsUsual();
    const fields = await raw.hGetAll(key);
    expect(Object.keys(fields).sort()).toEqual([`a:${APP}`, 'u', 'z']);
    for (const value of Object.values(fields)) expect(value).toMatch(NONCE);
  });

  it("an invalidation replayed when Redis is back is sent however old, whatever the replaying guard's own TTL", async () => {
    const cutOff = await relay(redis.port);
    try {
      // B keeps answers 60 s; A (1 s) invalidates while Redis is unreachable from A only.
      const b = guardOf({ cache: { ttlMs: 60_000, refreshAheadMs: 0 } });
      url = cutOff.url;
      const a = guardOf({ cache: { ttlMs: 1_000, inactiveTtlMs: 1_000, refreshAheadMs: 0 } }, { retryAfterMs: 50 });
      url = redis.url;
      await storesUp(a, b);
      await fake.login('alice', APP);
      expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
      fake.kick('alice');

      await cutOff.cut();
      await until(() => a.stats().store === 'down');
      a.invalidate('alice');
      expect(await a.invalidateEverywhere('alice')).toBe(false);
      // Longer than every TTL of A passes (on the clock and in real time) before Redis is back for A.
      clock.advance(2_000);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await cutOff.restore();
      await until(() => a.stats().store === 'up', 10_000);

      await until(() => b.stats().remoteInvalidations === 1, 5_000);
      expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
      expect(await raw.exists(keysOf('alice').answer(APP))).toBe(1); // B's fresh inactive answer, not the old one
      expect(JSON.parse((await raw.get(keysOf('alice').answer(APP)))!)).toMatchObject({ a: 0 });
    } finally {
      await factory.closeAll();
      await cutOff.cut().catch(() => undefined);
    }
  });
});
