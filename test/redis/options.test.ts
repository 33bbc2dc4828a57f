import fc from 'fast-check';
import { createClient } from 'redis';
import { createSessionGuard, header } from '../../src/index';
import { redisStore } from '../../src/redis';
import { escapeKeyPart, invalidationChannel, userKeys } from '../../src/redis/keys';

describe('Redis keys', () => {
  it('distinct (host, user pool, user, app) give distinct keys, all in the user\'s hash slot', () => {
    const part = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(fc.property(fc.tuple(part, part, part, part), fc.tuple(part, part, part, part), (one, two) => {
      const keyOf = ([host, pool, user, app]: string[]) => userKeys('gsg:v2', host!, pool!, user!).answer(app!);
      if (one.join('\u0000') === two.join('\u0000')) return;
      expect(keyOf(one)).not.toBe(keyOf(two));
    }), { numRuns: 2_000 });
    fc.assert(fc.property(part, part, part, part, (host, pool, user, app) => {
      const keys = userKeys('gsg:v2', host, pool, user);
      const tag = (key: string) => key.slice(key.indexOf('{'), key.indexOf('}') + 1);
      const all = [
        keys.answer(app), keys.lock(app), keys.answers, keys.generation,
        keys.authorization(app, 'policy'), keys.authorizationLock(app, 'policy'), keys.authorizations,
      ];
      for (const key of all) expect(tag(key)).toBe(tag(keys.answers));
      expect(new Set(all).size).toBe(all.length);
    }));
  });

  it('keeps ordinary ids readable and escapes separators, braces, % and lone surrogates', () => {
    expect(escapeKeyPart('64f1c2a9e0b6d7')).toBe('64f1c2a9e0b6d7');
    expect(escapeKeyPart('a:b{c}%')).toBe('a%003ab%007bc%007d%0025');
    expect(escapeKeyPart('\ud800')).not.toBe(escapeKeyPart('\ufffd'));
    expect(userKeys('gsg:v2', 'https://api.genauth.ai', 'pool-1', 'user-1').answer('app-1'))
      .toBe('gsg:v2:{https%003a//api.genauth.ai:pool-1:user-1}:answer:app-1');
    expect(invalidationChannel('gsg:v2', 'https://api.genauth.ai', 'pool-1')).toBe('gsg:v2:invalidate:https%003a//api.genauth.ai:pool-1');
  });
});

describe('redisStore options', () => {
  const client = createClient();

  it.each([
    ['no client', {}],
    ['something else as client', { client: { duplicate: () => ({}) } }],
    ['a prefix with braces', { client, prefix: 'a{b}' }],
    ['an empty prefix', { client, prefix: '' }],
    ['a timeout of 0', { client, timeoutMs: 0 }],
    ['a fractional retry delay', { client, retryAfterMs: 1.5 }],
    ['a negative lock life', { client, lockMs: -1 }],
    ['a heartbeat of 0', { client, heartbeatMs: 0 }],
  ])('throws a TypeError for %s', (_label, options) => {
    expect(() => redisStore(options as never)).toThrow(TypeError);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['timeout', { timeout: 100 }, 'unknown option "timeout" in redisStore options; did you mean "timeoutMs"?'],
    ['lock', { lock: 100 }, 'unknown option "lock" in redisStore options; did you mean "lockMs"?'],
    ['keyPrefix', { keyPrefix: 'app:' }, 'unknown option "keyPrefix" in redisStore options; it takes "client", "prefix", "timeoutMs", "retryAfterMs", "lockMs", "heartbeatMs"'],
  ])('an unknown key is a TypeError naming it: %s', (_label, extra, message) => {
    expect(() => redisStore({ client, ...extra } as never)).toThrow(new TypeError(`genauth-session-guard: ${message}`));
  });

  it('the guard refuses a store without the in-process cache, and anything that is not a store', () => {
    const base = { host: 'http://127.0.0.1:1', accessKeyId: 'id', accessKeySecret: 'secret', identity: header('x-user-id') };
    expect(() => createSessionGuard({ ...base, cache: false, store: redisStore({ client }) })).toThrow(/second tier behind the cache/);
    expect(() => createSessionGuard({ ...base, store: {} as never })).toThrow(/must be a shared store/);
  });
});
