import { decodeJwt } from 'jose';
import { isSessionGuardError } from '../core/errors';
import { failureReason } from '../core/failure-reason';
import { createJwtVerifier } from '../extractors/jwt-verifier';
import type { StepOutcome } from './doctor-report';

/** How the token is verified: as `bearerJwt({ issuer, audience })` would. */
export interface TokenCheckSettings {
  issuer: string;
  jwksUri: URL;
  /** Not checked when absent (said in the detail). */
  audience: string | undefined;
  appId: string | undefined;
}

/** Seconds from now as words: "in 59 min", "3 h ago". */
function relative(seconds: number, nowSec: number): string {
  const delta = seconds - nowSec;
  const size = Math.abs(delta);
  const amount = size < 120 ? `${Math.round(size)} s` : size < 7_200 ? `${Math.round(size / 60)} min` : `${Math.round(size / 3_600)} h`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

function when(claims: Record<string, unknown>, name: 'exp' | 'nbf', nowSec: number): string | undefined {
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return `${new Date(value * 1000).toISOString()}, ${relative(value, nowSec)}`;
}

/** The claims worth showing, read without verification, for the detail of a refusal. Never the token itself. */
function context(token: string, reason: string | undefined, expected: TokenCheckSettings, nowSec: number): string {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return '';
  }
  const show = (value: unknown) => (JSON.stringify(value) ?? 'none').slice(0, 200);
  switch (reason) {
    case 'exp':
      return ` (exp ${when(claims, 'exp', nowSec) ?? show(claims.exp)})`;
    case 'nbf':
      return ` (nbf ${when(claims, 'nbf', nowSec) ?? show(claims.nbf)})`;
    case 'iss':
      return ` (the token's iss is ${show(claims.iss)}; expected ${show(expected.issuer)})`;
    case 'aud':
      return ` (the token's aud is ${show(claims.aud)}; expected ${show(expected.audience)})`;
    default:
      return '';
  }
}

/**
 * Verifies `token` as the guard's `bearerJwt` would (signature with the issuer's keys, `exp`/`nbf` with 5 s of
 * leeway, `iss`, `aud`, a usable `sub`) and says why it would be refused. The token is never printed; its claims
 * (`sub`, `aud`, `exp`) may be.
 */
export async function checkToken(token: string, settings: TokenCheckSettings): Promise<StepOutcome<{ userId: string }>> {
  const nowSec = Date.now() / 1000;
  const verify = createJwtVerifier(
    { jwksUri: settings.jwksUri.href, issuer: settings.issuer, audience: settings.audience ?? false, tokenCache: false },
    'doctor',
  );
  let userId: string;
  let claims: Record<string, unknown>;
  try {
    const identity = await verify(token, { appId: settings.appId ?? '' });
    userId = identity.userId;
    claims = identity.claims ?? {};
  } catch (error) {
    if (!isSessionGuardError(error)) return { status: 'fail', detail: `the token could not be verified: ${(error as Error).name}` };
    if (error.status === 503) {
      return { status: 'fail', detail: `${failureReason(error) ?? error.message}; the guard would answer 503` };
    }
    const claim = (error.cause as { claim?: unknown } | undefined)?.claim;
    const detail = `${error.message.replace(/\.$/, '')}${context(token, typeof claim === 'string' ? claim : error.message.includes('expired') ? 'exp' : undefined, settings, nowSec)}`;
    return { status: 'fail', detail: `${detail}. The guard would answer 401 ${error.code}.` };
  }
  const parts = [`sub ${JSON.stringify(userId)}`, `aud ${(JSON.stringify(claims.aud) ?? 'none').slice(0, 200)}`];
  const expiry = when(claims, 'exp', nowSec);
  parts.push(expiry === undefined ? 'no exp (never expires)' : `expires ${expiry}`);
  if (settings.audience === undefined) parts.push('audience NOT checked: give --audience or --app-id');
  return { status: 'pass', detail: `valid: ${parts.join(', ')}`, value: { userId } };
}
