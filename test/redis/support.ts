import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { channels, createSessionGuard, header, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { redisStore, type RedisClientLike, type RedisStoreOptions, type StoreEvent } from '../../src/redis';
import type { FakeGenAuth } from '../../src/testing';

/** Both client libraries: every table of Redis cases runs through each. */
export interface ClientUnderTest {
  name: string;
  /** A client as an app would create it; the store only duplicates it. */
  create(url: string): RedisClientLike;
}

export const clients: ClientUnderTest[] = [
  { name: 'node-redis v5', create: (url) => createClient({ url }) },
  { name: 'ioredis', create: (url) => new Redis(url, { lazyConnect: true }) },
];

/** A connected node-redis client for looking at Redis directly. */
export async function inspector(url: string): Promise<ReturnType<typeof createClient>> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Waits (real time, bounded) for a condition. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Builds guards against one fake and one Redis, and closes them after each test. */
export function guardFactory(context: () => { fake: FakeGenAuth; url: string; client: ClientUnderTest; clock?: () => number }) {
  const guards: SessionGuard[] = [];
  return {
    guards,
    make(overrides: Partial<SessionGuardOptions> = {}, storeOptions: Partial<RedisStoreOptions> | false = {}): SessionGuard {
      const { fake, url, client, clock } = context();
      const guard = createSessionGuard({
        host: fake.host,
        accessKeyId: fake.accessKeyId,
        accessKeySecret: fake.accessKeySecret,
        identity: header('x-user-id'),
        // Roomy: no test here is about GenAuth's timeout, and a loaded CI machine (2 cores) can take seconds to
        // answer a burst of calls; a test about a timeout sets its own.
        timeoutMs: 10_000,
        retries: 0,
        ...(clock ? { clock } : {}),
        // The store's timeout likewise (the default, 250 ms, is short on a loaded machine); lockMs stays the
        // default (from the guard's timeout) unless a test sets it.
        ...(storeOptions === false ? {} : { store: redisStore({ client: client.create(url), timeoutMs: 5_000, ...storeOptions }) }),
        ...overrides,
      } as SessionGuardOptions);
      guards.push(guard);
      return guard;
    },
    async closeAll() {
      await Promise.all(guards.splice(0).map((guard) => guard.close()));
    },
  };
}

/** Resolves once every guard's store is up (connected and subscribed). */
export function storesUp(...guards: SessionGuard[]): Promise<void> {
  return until(() => guards.every((guard) => guard.stats().store === 'up'));
}

/** One request's outcome through `authenticate`: the session source, or the refusal's HTTP status and code. */
export async function ask(guard: SessionGuard, userId: string, appId = 'app-1') {
  try {
    const auth = await guard.authenticate({ headers: { 'x-user-id': userId } }, appId);
    return { status: 200, source: auth.session.source, checkedAt: auth.session.checkedAt };
  } catch (error) {
    const { status, code } = error as { status?: number; code?: string };
    return { status: status ?? 500, code };
  }
}

/** Collects the events published on the store channel while the test runs. */
export function storeEvents() {
  const seen: StoreEvent[] = [];
  const listener = (message: unknown) => seen.push(message as StoreEvent);
  subscribe(channels.store, listener);
  return { seen, stop: () => unsubscribe(channels.store, listener) };
}
