import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

describe('OIDC discovery, JWKS and user tokens', () => {
  let fake: FakeGenAuth;

  beforeAll(async () => {
    fake = await createFakeGenAuth();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('serves the discovery document', async () => {
    const response = await fetch(`${fake.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      issuer: fake.issuer,
      jwks_uri: fake.jwksUri,
      id_token_signing_alg_values_supported: expect.arrayContaining(['RS256']),
    });
  });

  it('serves one RS256 public key with a kid', async () => {
    const { keys } = (await (await fetch(fake.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('login returns a token that verifies against the remote JWKS', async () => {
    const token = await fake.login('user-1', 'app-1', { claims: { email: 'u@example.com' } });
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(fake.jwksUri)), {
      issuer: fake.issuer,
      audience: 'app-1',
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    expect(payload).toMatchObject({ sub: 'user-1', aud: 'app-1', iss: fake.issuer, email: 'u@example.com' });
    expect(typeof payload.jti).toBe('string');
    expect(typeof payload.scope).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(fake.isActive('user-1', 'app-1')).toBe(true);
  });

  it('login honours expiresInSec; the fake clock drives iat/exp', async () => {
    const now = Date.parse('2020-01-01T00:00:00Z');
    const clocked = await createFakeGenAuth({ clock: () => now });
    try {
      const token = await clocked.login('user-1', 'app-1', { expiresInSec: 60 });
      await expect(
        jwtVerify(token, createRemoteJWKSet(new URL(clocked.jwksUri)), { issuer: clocked.issuer, audience: 'app-1' }),
      ).rejects.toThrow(/exp/);
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(clocked.jwksUri)), {
        issuer: clocked.issuer,
        audience: 'app-1',
        currentDate: new Date(now + 1000),
      });
      expect(payload.iat).toBe(now / 1000);
      expect(payload.exp).toBe(now / 1000 + 60);
    } finally {
      await clocked.close();
    }
  });

  it('signToken makes odd tokens: custom claims, exp and header', async () => {
    const token = await fake.signToken({ sub: 'x', exp: 1 }, { header: { kid: 'unknown-kid' } });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: 'unknown-kid' });
    await expect(jwtVerify(token, createRemoteJWKSet(new URL(fake.jwksUri)))).rejects.toThrow();
    const plain = await fake.signToken({ sub: 'y' }, { expiresInSec: 5 });
    const { payload } = await jwtVerify(plain, createRemoteJWKSet(new URL(fake.jwksUri)));
    expect(payload.exp! - payload.iat!).toBe(5);
  });

  it('a token from another fake does not verify', async () => {
    const other = await createFakeGenAuth();
    try {
      const token = await other.login('user-1', 'app-1');
      await expect(jwtVerify(token, createRemoteJWKSet(new URL(fake.jwksUri)))).rejects.toThrow();
    } finally {
      await other.close();
    }
  });
});
