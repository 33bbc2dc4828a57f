import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** How the fake IdP answers a route. */
export type Mode = 'ok' | 'http500' | 'garbage' | 'not-a-jwks' | 'hangup' | 'wrong-issuer';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

/** A real HTTP server on 127.0.0.1 serving a JWKS and an OIDC discovery document, counting requests. */
export class FakeIdp {
  readonly hits = { jwks: 0, discovery: 0 };
  jwksMode: Mode = 'ok';
  discoveryMode: Mode = 'ok';
  keys: JWK[] = [];
  private server: Server | undefined;
  private port = 0;

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get issuer(): string {
    return `${this.origin}/oidc`;
  }
  get jwksUri(): string {
    return `${this.origin}/oidc/.well-known/jwks.json`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/oidc/.well-known/jwks.json') {
      this.hits.jwks += 1;
      this.answer(res, this.jwksMode, { keys: this.keys });
    } else if (req.url === '/oidc/.well-known/openid-configuration') {
      this.hits.discovery += 1;
      const issuer = this.discoveryMode === 'wrong-issuer' ? `${this.issuer}/other` : this.issuer;
      this.answer(res, this.discoveryMode, { issuer, jwks_uri: this.jwksUri, id_token_signing_alg_values_supported: ['RS256'] });
    } else {
      res.writeHead(404).end();
    }
  }

  private answer(res: ServerResponse, mode: Mode, body: unknown): void {
    switch (mode) {
      case 'http500':
        res.writeHead(500, { 'content-type': 'text/html' }).end('<html>oops</html>');
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
        return;
      case 'not-a-jwks':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: 'nope' }));
        return;
      case 'hangup':
        res.socket?.destroy();
        return;
      default:
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
  }
}

/** A URL on 127.0.0.1 where nothing listens. */
export async function deadOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export const NOW_SEC = 1_800_000_000;
export const NOW_MS = NOW_SEC * 1000;

export async function signWith(
  key: SigningKey,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export function req(headers: Record<string, string | string[] | undefined>): { headers: typeof headers } {
  return { headers };
}

/** Awaits `run` and returns what it threw (fails when it did not throw). */
export async function caught(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Asserts the message of `error` contains neither the token nor any of its three parts. */
export function expectNoTokenIn(error: Error, token: string): void {
  const texts = [error.message, JSON.stringify(error)];
  for (const text of texts) {
    expect(text).not.toContain(token);
    for (const part of token.split('.')) if (part.length >= 8) expect(text).not.toContain(part);
  }
}
