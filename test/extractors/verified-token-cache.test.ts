import { SignJWT } from 'jose';
import { bearerJwt } from '../../src/extractors';
import { InvalidTokenError } from '../../src/core/errors';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const key = new TextEncoder().encode(SECRET);

function request(token: string) {
  return { headers: { authorization: `Bearer ${token}` } };
}

async function sign(claims: Record<string, unknown>, nowSec: number, expiresInSec = 60) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(nowSec).setExpirationTime(nowSec + expiresInSec).sign(key);
}

describe('verified-token cache', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = Date.UTC(2026, 10, 26, 12, 0, 0);
  });

  it('serves a token seen before without verifying it again (the same frozen identity comes back)', async () => {
    const extract = bearerJwt({ secret: SECRET, audience: 'app', clock });
    const token = await sign({ sub: 'alice', aud: 'app' }, now / 1000);
    const first = await extract(request(token), { appId: 'app' });
    const second = await extract(request(token), { appId: 'app' });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.claims)).toBe(true);
  });

  it('verifies every time with tokenCache: false', async () => {
    const extract = bearerJwt({ secret: SECRET, audience: 'app', clock, tokenCache: false });
    const token = await sign({ sub: 'alice', aud: 'app' }, now / 1000);
    const first = await extract(request(token), { appId: 'app' });
    const second = await extract(request(token), { appId: 'app' });
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('still checks exp against the clock on every hit (tolerance included)', async () => {
    const extract = bearerJwt({ secret: SECRET, audience: false, clock, clockToleranceSec: 5 });
    const token = await sign({ sub: 'alice' }, now / 1000, 60);
    await extract(request(token));
    now += 64_000;
    expect(extract(request(token))).toMatchObject({ userId: 'alice' }); // a remembered token: synchronous
    now += 1_000;
    await expect(extract(request(token))).rejects.toThrow(InvalidTokenError);
    await expect(extract(request(token))).rejects.toThrow('The token has expired.');
  });

  it('checks the route audience on every hit', async () => {
    const extract = bearerJwt({ secret: SECRET, clock, audience: ({ appId }) => appId });
    const token = await sign({ sub: 'alice', aud: 'app-a' }, now / 1000);
    await expect(extract(request(token), { appId: 'app-a' })).resolves.toMatchObject({ userId: 'alice' });
    await expect(extract(request(token), { appId: 'app-b' })).rejects.toThrow('The token audience is not accepted.');
  });

  it('never remembers a failure', async () => {
    const extract = bearerJwt({ secret: SECRET, clock, audience: 'app' });
    const token = await sign({ sub: 'alice', aud: 'app' }, now / 1000 + 60); // iat in the future is fine, nbf absent
    const tampered = `${token.slice(0, -3)}AAA`;
    await expect(extract(request(tampered))).rejects.toThrow(InvalidTokenError);
    await expect(extract(request(tampered))).rejects.toThrow(InvalidTokenError);
    await expect(extract(request(token))).resolves.toMatchObject({ userId: 'alice' });
  });

  it('forgets a token after maxAgeMs even if it has not expired', async () => {
    const extract = bearerJwt({ secret: SECRET, audience: false, clock, tokenCache: { maxAgeMs: 1_000 } });
    const token = await sign({ sub: 'alice' }, now / 1000, 3600);
    const first = await extract(request(token));
    now += 1_001;
    const second = await extract(request(token));
    expect(second).not.toBe(first);
  });

  it('forgets a token after maxAgeMs when it was remembered at clock 0 (lru-cache reads a start of 0 as no TTL)', async () => {
    now = 0;
    const extract = bearerJwt({ secret: SECRET, audience: 'app', clock, tokenCache: { maxAgeMs: 1_000 } });
    const token = await sign({ sub: 'alice', aud: 'app' }, 0, 3600);
    const first = await extract(request(token), { appId: 'app' });
    now += 999;
    expect(await extract(request(token), { appId: 'app' })).toBe(first);
    now += 2;
    expect(await extract(request(token), { appId: 'app' })).not.toBe(first);
  });

  it('serves until just before storedAt + maxAgeMs and verifies again at exactly that time', async () => {
    const extract = bearerJwt({ secret: SECRET, audience: false, clock, tokenCache: { maxAgeMs: 1_000 } });
    const token = await sign({ sub: 'alice' }, now / 1000, 3600);
    const first = await extract(request(token));
    now += 999;
    expect(extract(request(token))).toBe(first); // synchronous: remembered
    now += 1;
    const again = extract(request(token));
    expect(again).toBeInstanceOf(Promise); // verified again
    expect(await again).not.toBe(first);
  });

  it('holds at most `max` tokens: the least recently used is verified again', async () => {
    const extract = bearerJwt({ secret: SECRET, audience: false, clock, tokenCache: { max: 2 } });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((sub) => sign({ sub }, now / 1000, 3600)));
    const first = await extract(request(a!));
    await extract(request(b!));
    expect(extract(request(a!))).toBe(first); // a used again: b is now the least recent
    await extract(request(c!)); // evicts b
    expect(extract(request(a!))).toBe(first);
    expect(extract(request(c!))).not.toBeInstanceOf(Promise);
    expect(extract(request(b!))).toBeInstanceOf(Promise);
  });

  it('verifies again after the clock steps back, rather than trusting the remembered token past maxAgeMs', async () => {
    const extract = bearerJwt({ secret: SECRET, audience: 'app', clock, tokenCache: { maxAgeMs: 1_000 } });
    const token = await sign({ sub: 'alice', aud: 'app' }, now / 1000 - 7_200, 3 * 3600);
    const first = await extract(request(token), { appId: 'app' });
    now -= 3_600_000; // the wall clock set back an hour
    const second = await extract(request(token), { appId: 'app' });
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('refuses bad tokenCache options at construction', () => {
    expect(() => bearerJwt({ secret: SECRET, audience: false, tokenCache: { max: 0 } })).toThrow(TypeError);
    expect(() => bearerJwt({ secret: SECRET, audience: false, tokenCache: 'yes' as never })).toThrow(TypeError);
  });
});
