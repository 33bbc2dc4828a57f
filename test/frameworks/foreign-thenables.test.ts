import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, type Identity, type SessionGuard } from '../../src/index';
import { frameworks, type RunningApp } from '../support/frameworks';

const APP = 'app-1';

/**
 * A promise-like that is not a native Promise and whose `then` answers another such object, as Bluebird, a
 * promisified client or a promise from another realm does.
 */
class ForeignPromise<T> implements PromiseLike<T> {
  constructor(private readonly inner: Promise<T>) {}
  then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
    return new ForeignPromise(this.inner.then(onFulfilled, onRejected));
  }
}

function foreignThenable<T>(value: T | Error): PromiseLike<T> {
  return new ForeignPromise(value instanceof Error ? Promise.reject(value) : Promise.resolve(value));
}

describe.each(frameworks)('$name with an extractor (or a guard) answering foreign thenables', (framework) => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let app: RunningApp;
  const reached = { count: 0 };

  beforeEach(async () => {
    reached.count = 0;
    fake = await createFakeGenAuth();
    guard = createSessionGuard({
      host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
      identity: (req) => {
        const user = req.headers['x-user-id'];
        if (user === 'broken') return foreignThenable<Identity>(new Error('lookup failed'));
        return foreignThenable<Identity | undefined>(typeof user === 'string' ? { userId: user } : undefined);
      },
    });
  });
  afterEach(async () => {
    await app?.close();
    await guard.close();
    await fake.close();
  });

  const get = (user?: string) => fetch(`${app.url}/admin`, { headers: user ? { 'x-user-id': user } : {} });

  it('still checks the session: 200 only for a live one, the documented refusals otherwise', async () => {
    app = await framework.start(APP, { guard }, reached);
    await fake.login('alice', APP);
    fake.addUser('bob');
    expect((await get('alice')).status).toBe(200);
    expect((await get('bob')).status).toBe(401);
    expect((await get()).status).toBe(401);
    expect((await get('broken')).status).toBe(401);
    fake.fault({ kind: 'http-status', status: 502 });
    expect((await get('carol')).status).toBe(503);
    expect(reached.count).toBe(1);
  });

  it('a guard of your own whose authenticate answers a foreign thenable is awaited too', async () => {
    const own: SessionGuard = {
      ...guard,
      authenticate: (req, appId, options) => foreignThenable(0).then(() => guard.authenticate(req, appId, options)) as never,
    };
    app = await framework.start(APP, { guard: own }, reached);
    fake.addUser('bob');
    expect((await get('bob')).status).toBe(401);
    await fake.login('alice', APP);
    expect((await get('alice')).status).toBe(200);
    expect(reached.count).toBe(1);
  });
});
