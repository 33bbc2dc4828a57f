import { createRemoteJWKSet, customFetch, errors, type CryptoKey, type JWTVerifyGetKey, type RemoteJWKSet } from 'jose';
import { isSessionGuardError } from '../core/errors';
import type { FetchLike } from '../core/types';
import { keysUnavailable } from './jwt-errors';
import { createJwksUriDiscovery } from './oidc-discovery';

/** Where the verification keys come from: a JWKS URL, or the issuer's discovery document. */
export type RemoteKeySource = { jwksUri: URL } | { issuer: string };

/** jose refuses RSA keys under 2048 bits with a `TypeError`; caught here, that is the IdP's fault, not the token's. */
function isWeakRsaKey(key: CryptoKey): boolean {
  const { modulusLength } = key.algorithm as { modulusLength?: unknown };
  return modulusLength !== undefined && (typeof modulusLength !== 'number' || modulusLength < 2048);
}

/**
 * A jose key resolver over a remote JWKS. jose's `createRemoteJWKSet` caches the set, refetches on an unknown
 * `kid` at most once per cool-down (30 s), and shares one request between concurrent callers.
 *
 * A key that is not in the set, or is in it twice, is a verdict on the token (the jose error passes through and
 * becomes an `InvalidTokenError`). Anything else (a key too weak to use included) that goes wrong while getting the keys (network error, timeout,
 * non-200 answer, answer that is not a JWKS, key that cannot be imported, failed discovery) is an outage and
 * rejects with a `SessionCheckUnavailableError`.
 */
export function createRemoteKeyResolver(source: RemoteKeySource, fetchImpl?: FetchLike): RemoteKeyResolver {
  const options = fetchImpl === undefined ? {} : { [customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init) };
  let keySet: RemoteJWKSet | undefined = 'jwksUri' in source ? createRemoteJWKSet(source.jwksUri, options) : undefined;
  const discover = 'issuer' in source ? createJwksUriDiscovery(source.issuer, fetchImpl) : undefined;

  const getKeySet = async (): Promise<RemoteJWKSet> => {
    if (keySet !== undefined) return keySet;
    const jwksUri = await discover!();
    keySet ??= createRemoteJWKSet(jwksUri, options);
    return keySet;
  };

  const resolve: JWTVerifyGetKey = async (protectedHeader, token) => {
    try {
      const set = await getKeySet();
      const key = await set(protectedHeader, token);
      if (isWeakRsaKey(key)) throw new Error('the JWKS holds an RSA key shorter than 2048 bits');
      return key;
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      if (isSessionGuardError(error)) throw error;
      throw keysUnavailable(error);
    }
  };

  const warmUp = async (): Promise<void> => {
    try {
      const set = await getKeySet();
      // `fresh`: keys loaded within jose's cache age (10 minutes); nothing to do.
      if (!set.fresh) await set.reload();
    } catch (error) {
      if (isSessionGuardError(error)) throw error;
      throw keysUnavailable(error);
    }
  };
  return Object.assign(resolve, { warmUp });
}

/** A jose key resolver with a warm-up that loads the keys now (discovery included). */
export type RemoteKeyResolver = JWTVerifyGetKey & {
  /** Loads the keys unless loaded recently; rejects with a `SessionCheckUnavailableError` whose `cause` says why. */
  warmUp(): Promise<void>;
};
