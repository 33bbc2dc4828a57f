import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTHeaderParameters } from 'jose';
import type { SignTokenOptions } from './types';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** The fake's RS256 signing key for user tokens, and the documents that publish it. */
export class OidcKeys {
  private constructor(
    private readonly privateKey: PrivateKey,
    private readonly publicJwk: JWK,
    readonly kid: string,
  ) {}

  /** Generates a fresh RS256 key pair. */
  static async generate(): Promise<OidcKeys> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return new OidcKeys(privateKey, { ...jwk, kid, alg: 'RS256', use: 'sig' }, kid);
  }

  /** `{ keys: [<the public key>] }`. */
  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** Signs the claims; `iat` and `exp` are added (from `nowMs`) unless present. */
  async sign(claims: Record<string, unknown>, nowMs: number, options: SignTokenOptions = {}): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    const payload: Record<string, unknown> = {
      iat,
      exp: iat + (options.expiresInSec ?? 3600),
      ...claims,
    };
    const header = { alg: options.alg ?? 'RS256', typ: 'JWT', kid: this.kid, ...options.header } as JWTHeaderParameters;
    return new SignJWT(payload).setProtectedHeader(header).sign(this.privateKey);
  }
}

/** The claims of an access token for `userId` in `appId`, before the caller's own claims are merged in. */
export function accessTokenClaims(issuer: string, userId: string, appId: string): Record<string, unknown> {
  return { iss: issuer, sub: userId, aud: appId, scope: 'openid profile', jti: randomUUID() };
}

/** The OpenID discovery document of the fake. */
export function discoveryDocument(issuer: string, jwksUri: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/me`,
    end_session_endpoint: `${issuer}/session/end`,
    revocation_endpoint: `${issuer}/token/revocation`,
    introspection_endpoint: `${issuer}/token/introspection`,
    jwks_uri: jwksUri,
    response_types_supported: ['code', 'id_token', 'code id_token', 'code token', 'code id_token token', 'none'],
    grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'HS256'],
    scopes_supported: ['openid', 'profile', 'email', 'phone', 'address', 'offline_access'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'name', 'email', 'phone_number'],
  };
}
