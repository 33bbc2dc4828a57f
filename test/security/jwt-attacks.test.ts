/**
 * The table of JWT attacks. Each row is refused with 401 `invalid_token` by real Express 5 and Koa 3 apps, before
 * any session check is made, while a valid token of the same user (who holds a live session) passes. Plus: a flood
 * of unknown `kid`s does not hammer the JWKS endpoint.
 */
import { KeyObject, randomUUID, sign } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { bearerJwt, createSessionGuard, type SessionGuard } from '../../src/index';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import type { RunningApp } from '../support/frameworks';
import { b64url, currentFrameworks, jwtShaped, startJwksServer, type JwksServer } from './support';

const APP = 'app-attacked';
const audience = ({ appId }: { appId: string }) => appId;

let fake: FakeGenAuth;
/** Trusts the fake's JWKS (as an app trusts GenAuth's). */
let guard: SessionGuard;
/**
 * Trusts a JWKS of our own: for rows that need a token validly signed with something jose refuses to sign for the
 * fake (an unknown `crit` header). Same issuer, audience and session check at the fake.
 */
let ownKeysGuard: SessionGuard;
let ownKeys: JwksServer;
let ownKey: { privateKey: CryptoKey; kid: string };
let attackerJwks: JwksServer;
let attacker: { privateKey: CryptoKey; publicJwk: JWK; kid: string };
let fakeJwk: JWK;
let fakeKid: string;

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'alice', iss: fake.issuer, aud: APP, ...extra });
const withoutKey = (record: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));

async function signWithAttacker(header: Record<string, unknown>, payload = claims()): Promise<string> {
  return new SignJWT({ iat: now(), exp: now() + 3600, ...payload })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...header })
    .sign(attacker.privateKey);
}

/** RS256 over any header, with no checks by a JOSE library (for headers jose refuses to produce). */
function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), KeyObject.from(key)))}`;
}

async function signHs256(secret: Uint8Array | string, header: Record<string, unknown> = {}): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT({ iat: now(), exp: now() + 3600, ...claims() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: fakeKid, ...header })
    .sign(key);
}

beforeAll(async () => {
  fake = await createFakeGenAuth();
  await fake.login('alice', APP);
  await fake.login('alice', 'other-app');
  fakeJwk = ((await (await fetch(fake.jwksUri)).json()) as { keys: JWK[] }).keys[0]!;
  fakeKid = fakeJwk.kid!;

  const attackerPair = await generateKeyPair('RS256', { extractable: true });
  const attackerPublic = await exportJWK(attackerPair.publicKey);
  const attackerKid = await calculateJwkThumbprint(attackerPublic);
  attacker = { privateKey: attackerPair.privateKey, publicJwk: { ...attackerPublic, kid: attackerKid, alg: 'RS256', use: 'sig' }, kid: attackerKid };
  attackerJwks = await startJwksServer({ keys: [attacker.publicJwk] });

  const ownPair = await generateKeyPair('RS256', { extractable: true });
  const ownPublic = await exportJWK(ownPair.publicKey);
  ownKey = { privateKey: ownPair.privateKey, kid: 'own-1' };
  ownKeys = await startJwksServer({ keys: [{ ...ownPublic, kid: 'own-1', alg: 'RS256', use: 'sig' }] });

  const common = { host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, timeoutMs: 2_000, retries: 0 };
  guard = createSessionGuard({ ...common, identity: bearerJwt({ jwksUri: fake.jwksUri, issuer: fake.issuer, audience }) });
  ownKeysGuard = createSessionGuard({ ...common, identity: bearerJwt({ jwksUri: ownKeys.url, issuer: fake.issuer, audience }) });
});

afterAll(async () => {
  await guard.close();
  await ownKeysGuard.close();
  await attackerJwks.close();
  await ownKeys.close();
  await fake.close();
});

type Row = [label: string, make: () => Promise<string>, trusts?: 'fake' | 'own'];

const attacks: Row[] = [
  // Unsigned tokens.
  ['alg: none, no signature', async () => jwtShaped({ alg: 'none', typ: 'JWT' }, { iat: now(), exp: now() + 3600, ...claims() })],
  ['alg: None', async () => jwtShaped({ alg: 'None', typ: 'JWT' }, { exp: now() + 3600, ...claims() })],
  ['alg: NONE with the fake\'s kid', async () => jwtShaped({ alg: 'NONE', typ: 'JWT', kid: fakeKid }, { exp: now() + 3600, ...claims() })],
  ['alg: none keeping a real signature', async () => {
    const [, payload, signature] = (await fake.signToken(claims())).split('.');
    return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.${signature}`;
  }],
  // Algorithm confusion: HS256 keyed with the public key the guard verifies RS256 with.
  ['HS256 keyed with the RSA public key as PEM (SPKI)', async () => signHs256(await exportSPKI((await importJWK(fakeJwk, 'RS256')) as CryptoKey))],
  ['HS256 keyed with the RSA public key as PEM without the trailing newline', async () =>
    signHs256((await exportSPKI((await importJWK(fakeJwk, 'RS256')) as CryptoKey)).trimEnd())],
  ['HS256 keyed with the RSA public key as DER', async () => {
    const pem = await exportSPKI((await importJWK(fakeJwk, 'RS256')) as CryptoKey);
    return signHs256(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
  }],
  ['HS256 keyed with the RSA public key as JWK JSON', async () => signHs256(JSON.stringify(fakeJwk))],
  ['HS256 keyed with the JWKS document', async () => signHs256(JSON.stringify({ keys: [fakeJwk] }))],
  ['HS256 keyed with the RSA modulus', async () => signHs256(Buffer.from(fakeJwk.n!, 'base64url'))],
  // Keys the token brings along.
  ['embedded jwk header with an attacker key, no kid', async () => signWithAttacker({ jwk: withoutKey(attacker.publicJwk as Record<string, unknown>, 'kid') })],
  ['embedded jwk header with an attacker key and its kid', async () => signWithAttacker({ jwk: attacker.publicJwk, kid: attacker.kid })],
  ['embedded jwk header with an attacker key under the fake\'s kid', async () =>
    signWithAttacker({ jwk: { ...attacker.publicJwk, kid: fakeKid }, kid: fakeKid })],
  ['jku header pointing at an attacker JWKS', async () => signWithAttacker({ jku: attackerJwks.url, kid: attacker.kid })],
  ['jku header pointing at an attacker JWKS, fake\'s kid', async () => signWithAttacker({ jku: attackerJwks.url, kid: fakeKid })],
  ['x5u header pointing at an attacker server', async () => signWithAttacker({ x5u: attackerJwks.url, kid: attacker.kid })],
  ['jku and x5u on a token validly signed by the fake but with the attacker kid', async () =>
    fake.signToken(claims(), { header: { jku: attackerJwks.url, x5u: attackerJwks.url, kid: attacker.kid } })],
  ['an attacker RS256 signature under the fake\'s kid', async () => signWithAttacker({ kid: fakeKid })],
  // kid injection (validly signed by the fake: only the kid is odd).
  ['kid ../../etc/passwd', async () => fake.signToken(claims(), { header: { kid: '../../etc/passwd' } })],
  ['kid /dev/null', async () => fake.signToken(claims(), { header: { kid: '/dev/null' } })],
  ['kid with a NUL byte after the real kid', async () => fake.signToken(claims(), { header: { kid: `${fakeKid}\u0000` } })],
  ["kid ' OR '1'='1", async () => fake.signToken(claims(), { header: { kid: "' OR '1'='1" } })],
  ['kid x\' UNION SELECT key FROM keys --', async () => fake.signToken(claims(), { header: { kid: "x' UNION SELECT key FROM keys --" } })],
  ['kid that is a number', async () => fake.signToken(claims(), { header: { kid: 1 } })],
  ['kid that is an object', async () => fake.signToken(claims(), { header: { kid: { $ne: null } } })],
  // Critical extensions nobody understands (signed with a key the guard trusts).
  ['unknown crit header', async () =>
    new SignJWT({ iat: now(), exp: now() + 3600, ...claims() })
      .setProtectedHeader({ alg: 'RS256', kid: ownKey.kid, crit: ['x-unknown'], 'x-unknown': true })
      .sign(ownKey.privateKey, { crit: { 'x-unknown': true } }), 'own'],
  ['crit naming a parameter that is absent', async () =>
    signRaw({ alg: 'RS256', kid: ownKey.kid, crit: ['x-absent'] }, { exp: now() + 3600, ...claims() }, ownKey.privateKey), 'own'],
  ['crit empty', async () =>
    signRaw({ alg: 'RS256', kid: ownKey.kid, crit: [] }, { exp: now() + 3600, ...claims() }, ownKey.privateKey), 'own'],
  ['crit not an array', async () =>
    signRaw({ alg: 'RS256', kid: ownKey.kid, crit: 'x-unknown', 'x-unknown': 1 }, { exp: now() + 3600, ...claims() }, ownKey.privateKey), 'own'],
  // Time claims.
  ['exp as a string', async () => fake.signToken(claims({ exp: String(now() + 3600) }))],
  ['exp as a word', async () => fake.signToken(claims({ exp: 'never' }))],
  ['exp in the past', async () => fake.signToken(claims({ exp: now() - 60 }))],
  ['nbf in the future', async () => fake.signToken(claims({ nbf: now() + 3600 }))],
  ['nbf as a string', async () => fake.signToken(claims({ nbf: String(now() - 60) }))],
  ['iat as a string', async () => fake.signToken(claims({ iat: 'yesterday' }))],
  // The user id claim.
  ['sub missing', async () => fake.signToken(withoutKey(claims(), 'sub'))],
  ['sub empty', async () => fake.signToken(claims({ sub: '' }))],
  ['sub blank', async () => fake.signToken(claims({ sub: '   ' }))],
  ['sub a number', async () => fake.signToken(claims({ sub: 42 }))],
  ['sub an object', async () => fake.signToken(claims({ sub: { userId: 'alice' } }))],
  ['sub an array', async () => fake.signToken(claims({ sub: ['alice'] }))],
  ['sub null', async () => fake.signToken(claims({ sub: null }))],
  ['sub with a control character', async () => fake.signToken(claims({ sub: 'alice\u0000' }))],
  ['sub 300 characters (over the user id limit, under the token limit)', async () => fake.signToken(claims({ sub: 'a'.repeat(300) }))],
  ['sub 10 KB long', async () => fake.signToken(claims({ sub: 'a'.repeat(10 * 1024) }))],
  // Size.
  ['a validly signed token over the size limit (8192)', async () => fake.signToken(claims({ pad: 'x'.repeat(9_000) }))],
  // Issuer, audience, application.
  ['wrong iss', async () => fake.signToken(claims({ iss: 'https://evil.example/oidc' }))],
  ['iss with a trailing slash', async () => fake.signToken(claims({ iss: `${fake.issuer}/` }))],
  ['iss missing', async () => fake.signToken(withoutKey(claims(), 'iss'))],
  ['wrong aud', async () => fake.signToken(claims({ aud: 'not-this-app' }))],
  ['aud missing', async () => fake.signToken(withoutKey(claims(), 'aud'))],
  ['aud a prefix of the app id', async () => fake.signToken(claims({ aud: APP.slice(0, -1) }))],
  ['a token for another app id (live session there)', async () => fake.login('alice', 'other-app')],
  // Shape.
  ['two segments', async () => (await fake.signToken(claims())).split('.').slice(0, 2).join('.')],
  ['four segments', async () => `${await fake.signToken(claims())}.AAAA`],
  ['a payload that is not JSON', async () => {
    const [headerPart, , signature] = (await fake.signToken(claims())).split('.');
    return `${headerPart}.${b64url('not json')}.${signature}`;
  }],
  ['a payload that is a JSON array', async () => {
    const [headerPart, , signature] = (await fake.signToken(claims())).split('.');
    return `${headerPart}.${b64url('["alice"]')}.${signature}`;
  }],
  ['a signature stripped off', async () => `${(await fake.signToken(claims())).split('.').slice(0, 2).join('.')}.`],
  ['payload swapped under a valid signature', async () => {
    const [headerPart, , signature] = (await fake.signToken(claims({ sub: 'mallory' }))).split('.');
    return `${headerPart}.${b64url(JSON.stringify({ exp: now() + 3600, ...claims() }))}.${signature}`;
  }],
];

describe.each(currentFrameworks)('$name', (framework) => {
  const apps: Record<'fake' | 'own', RunningApp | undefined> = { fake: undefined, own: undefined };
  const reached = { count: 0 };

  beforeAll(async () => {
    apps.fake = await framework.start(APP, { guard }, reached);
    apps.own = await framework.start(APP, { guard: ownKeysGuard }, reached);
  });

  afterAll(async () => {
    await apps.fake?.close();
    await apps.own?.close();
  });

  const get = (trusts: 'fake' | 'own', token: string) =>
    fetch(`${apps[trusts]!.url}/admin`, { headers: { authorization: `Bearer ${token}` } });

  it.each<[string, () => Promise<string>]>([
    ['a token issued by the fake', () => fake.login('alice', APP)],
    ['a token signed by the key the second guard trusts', () =>
      new SignJWT({ iat: now(), exp: now() + 3600, ...claims() }).setProtectedHeader({ alg: 'RS256', kid: ownKey.kid }).sign(ownKey.privateKey)],
    ['a token signed without a JOSE library by the key the second guard trusts', async () =>
      signRaw({ alg: 'RS256', kid: ownKey.kid }, { exp: now() + 3600, ...claims() }, ownKey.privateKey)],
  ])('control: %s passes (alice holds a live session)', async (label, make) => {
    const response = await get(label.includes('second') ? 'own' : 'fake', await make());
    expect(response.status).toBe(200);
  });

  it.each(attacks)('refuses %s with 401 invalid_token, without a session check', async (_label, make, trusts = 'fake') => {
    const token = await make();
    const checksBefore = fake.calls.check;
    const reachedBefore = reached.count;
    const response = await get(trusts, token);
    const text = await response.text();
    expect(response.status).toBe(401);
    expect(JSON.parse(text).error).toBe('invalid_token');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="app-attacked", error="invalid_token", error_description="[^"]+"$/);
    expect(text).not.toContain(token.split('.')[1] || token);
    expect(fake.calls.check).toBe(checksBefore);
    expect(reached.count).toBe(reachedBefore);
  });

  it('never fetched anything from the attacker server (jku, x5u, embedded jwk ignored)', () => {
    expect(attackerJwks.requests).toBe(0);
  });
});

describe('a flood of unknown kids', () => {
  it.each(currentFrameworks)('200 tokens with random kids through $name make at most 2 JWKS fetches', async (framework) => {
    const floodGuard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: bearerJwt({ issuer: fake.issuer, audience }), // keys found through discovery, as by default
      retries: 0,
    });
    const app = await framework.start(APP, { guard: floodGuard }, { count: 0 });
    try {
      const tokens = await Promise.all(
        Array.from({ length: 200 }, () => fake.signToken(claims(), { header: { kid: randomUUID() } })),
      );
      fake.resetCalls();
      const send = async (token: string) => {
        const response = await fetch(`${app.url}/admin`, { headers: { authorization: `Bearer ${token}` } });
        return { status: response.status, error: ((await response.json()) as { error: string }).error };
      };
      // Half at once (shared fetches), half one after another (the refetch cool-down).
      const answers = await Promise.all(tokens.slice(0, 100).map(send));
      for (const token of tokens.slice(100)) answers.push(await send(token));
      expect(answers.every((a) => a.status === 401 && a.error === 'invalid_token')).toBe(true);
      expect(fake.calls.jwks).toBeGreaterThanOrEqual(1);
      expect(fake.calls.jwks).toBeLessThanOrEqual(2);
      expect(fake.calls.discovery).toBeLessThanOrEqual(1);
      // This guard's own count: the fake is shared with the other guards of this file, whose refreshes ahead of
      // expiry may ask GenAuth meanwhile on a slow machine (seen once under a load of 11 on 2 cores).
      expect(floodGuard.stats().upstreamCalls).toBe(0);
      // The unknown kids did not poison the key set: a real token still passes.
      const response = await fetch(`${app.url}/admin`, { headers: { authorization: `Bearer ${await fake.login('alice', APP)}` } });
      expect(response.status).toBe(200);
      expect(fake.calls.jwks).toBeLessThanOrEqual(2);
    } finally {
      await app.close();
      await floodGuard.close();
    }
  });
});
