import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerJwt } from '../../src/extractors';
import { SessionCheckUnavailableError } from '../../src/core/errors';

describe('signing keys only over https (plain http on loopback only)', () => {
  it.each([
    [{ jwksUri: 'http://idp.example.com/oidc/.well-known/jwks.json', audience: 'app' }],
    [{ issuer: 'http://idp.example.com/oidc', audience: 'app' }],
  ])('refuses %j at construction', (options) => {
    expect(() => bearerJwt(options)).toThrow(/must use https/);
  });

  it('accepts https anywhere and http on loopback', () => {
    expect(() => bearerJwt({ jwksUri: 'https://idp.example.com/jwks.json', audience: 'app' })).not.toThrow();
    expect(() => bearerJwt({ issuer: 'http://127.0.0.1:9/oidc', audience: 'app' })).not.toThrow();
    expect(() => bearerJwt({ jwksUri: 'http://localhost:9/jwks.json', audience: 'app' })).not.toThrow();
  });

  it('does not follow a discovery document to a plain-http jwks_uri elsewhere (503, keys not fetched)', async () => {
    const server = createServer((_req, res) => {
      const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: 'http://idp.example.com/jwks.json' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;
      const extract = bearerJwt({ issuer, audience: false });
      const token = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJ1In0.c2ln';
      await expect(extract({ headers: { authorization: `Bearer ${token}` } })).rejects.toBeInstanceOf(SessionCheckUnavailableError);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
