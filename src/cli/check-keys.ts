import { createRemoteJWKSet } from 'jose';
import { failureReason } from '../core/failure-reason';
import { keysUnavailable } from '../extractors/jwt-errors';
import { createJwksUriDiscovery } from '../extractors/oidc-discovery';
import type { StepOutcome } from './doctor-report';

/** Why a key step failed, without the "signing keys could not be loaded" preamble of the guard's reason. */
function keyFailure(error: unknown): string {
  const reason = failureReason(error) ?? 'unknown cause';
  return reason.replace(/^the signing keys could not be loaded: /, '');
}

/** Reads the issuer's discovery document as `bearerJwt({ issuer })` does: the `jwks_uri`. */
export async function checkDiscovery(issuer: string, timeoutMs: number): Promise<StepOutcome<URL>> {
  try {
    const jwksUri = await createJwksUriDiscovery(issuer, (input, init) => fetch(input, init), { timeoutMs, warn: false })();
    return { status: 'pass', detail: `the issuer's discovery document names it and gives jwks_uri ${jwksUri.href}`, value: jwksUri };
  } catch (error) {
    return { status: 'fail', detail: keyFailure(error) };
  }
}

/** Loads the JWKS: how many keys, of which algorithms. */
export async function checkJwks(jwksUri: URL, timeoutMs: number): Promise<StepOutcome> {
  try {
    const keySet = createRemoteJWKSet(jwksUri, { timeoutDuration: timeoutMs });
    await keySet.reload();
    const keys = keySet.jwks()?.keys ?? [];
    if (keys.length === 0) return { status: 'fail', detail: `the JWKS at ${jwksUri.href} holds no key: no token can be verified` };
    const kinds = [...new Set(keys.map((key) => key.alg ?? key.kty ?? '?'))].join(', ');
    return { status: 'pass', detail: `${keys.length} key${keys.length === 1 ? '' : 's'} (${kinds}) from ${jwksUri.href}` };
  } catch (error) {
    return { status: 'fail', detail: keyFailure(keysUnavailable(error)) };
  }
}
