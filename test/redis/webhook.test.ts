import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { genauthWebhook, type SessionGuard } from '../../src/index';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { manualClock } from '../support/frameworks';
import { startRedis, type RedisServer } from './redis-server';
import { ask, clients, guardFactory, inspector, storesUp, until } from './support';
import { gatedFetch } from '../core/fixtures';

const SECRET = 'whsec-replica-test';
const FIVE_MINUTES = 5 * 60_000;

/** A webhook receiver on replica `guard` only. */
async function receiverOn(guard: SessionGuard): Promise<{ url: string; server: Server }> {
  const app = express();
  app.post('/hooks/genauth', genauthWebhook({ guard, secret: SECRET }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/genauth`, server };
}

describe.each(clients)('webhook revocation across replicas with $name', (client) => {
  let redis: RedisServer;
  let raw: Awaited<ReturnType<typeof inspector>>;
  let fake: FakeGenAuth;
  let clock: ReturnType<typeof manualClock>;
  let server: Server | undefined;
  const factory = guardFactory(() => ({ fake, url: redis.url, client, clock }));
  const replica = () => factory.make({ cache: { ttlMs: FIVE_MINUTES, inactiveTtlMs: 1_000 } });

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
  });
  afterEach(async () => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
    await factory.closeAll();
    await fake.close();
  });

  it('a kick delivered to one replica is refused on the other at its next request', async () => {
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    const receiver = await receiverOn(a);
    server = receiver.server;
    fake.addWebhook({ url: receiver.url, secret: SECRET });
    await fake.login('alice', 'app-1');
    await fake.login('bob', 'app-1');
    for (const guard of [a, b]) {
      for (const user of ['alice', 'bob']) expect(await ask(guard, user)).toMatchObject({ status: 200 });
    }
    fake.kick('alice');
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ status: 200 })]);
    // The delivery's answer waited for the store; the message reaches B moments later.
    await until(() => b.stats().remoteInvalidations === 1);
    expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
    expect(await ask(a, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
    expect(await ask(b, 'bob')).toMatchObject({ status: 200, source: 'cache' });
  });

  it('an event whose users cannot be made out drops every answer on every replica and in Redis (invalidateAll)', async () => {
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    const receiver = await receiverOn(a);
    server = receiver.server;
    fake.addWebhook({ url: receiver.url, secret: SECRET });
    await fake.login('alice', 'app-1');
    expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
    expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' }); // from the store
    // The kick's own delivery is lost: only the invalidate-all acts.
    fake.webhookFault({ kind: 'drop' }, { times: 1 });
    fake.kick('alice');
    fake.emitWebhook('user:blocked', { users: [{ name: 'no id here' }] });
    const deliveries = await fake.webhookDeliveries();
    expect(deliveries.map((d) => [d.eventName, d.status])).toEqual([['kick', 0], ['user:blocked', 200]]);
    await until(() => b.stats().remoteInvalidations >= 1);
    const checks = fake.calls.check;
    expect(await ask(b, 'alice')).toMatchObject({ status: 401 });
    expect(fake.calls.check).toBe(checks + 1);
  });

  it('invalidateAll: no replica, nor one started afterwards, reads an answer stored before it', async () => {
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    await fake.login('alice', 'app-1');
    expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
    fake.kick('alice'); // no webhook registered: only invalidateAll tells the guards
    a.invalidateAll();
    await until(() => b.stats().remoteInvalidations === 1);
    const late = replica();
    await storesUp(late);
    for (const guard of [a, b, late]) expect(await ask(guard, 'alice')).toMatchObject({ status: 401 });
    // One replica asked GenAuth, the others were served its (inactive) answer through the new epoch's keys.
    expect(fake.calls.check).toBeGreaterThanOrEqual(2);
    expect(b.stats().remoteInvalidations).toBe(1);
  });

  it('an answer GenAuth gave before an invalidateAll, written after it, serves no replica', async () => {
    const gate = gatedFetch();
    const a = factory.make({ cache: { ttlMs: FIVE_MINUTES, inactiveTtlMs: 1_000 }, fetch: gate.fetch });
    const b = replica();
    await storesUp(a, b);
    await fake.login('alice', 'app-1');
    const pending = ask(a, 'alice'); // GenAuth answers "active"; the answer is held
    await until(() => gate.held === 1);
    fake.kick('alice');
    b.invalidateAll();
    await until(() => a.stats().remoteInvalidations === 1);
    gate.release();
    await pending;
    // Whatever A did with its held answer, B must not be served it from the store.
    expect(await ask(b, 'alice')).toMatchObject({ status: 401 });
  });
});
