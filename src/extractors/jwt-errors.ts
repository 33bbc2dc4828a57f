import { errors } from 'jose';
import { InvalidTokenError, SessionCheckUnavailableError, isSessionGuardError } from '../core/errors';

/** The message of every refusal caused by unreachable or unusable signing keys. Never names a URL or a token. */
export const KEYS_UNAVAILABLE_MESSAGE = 'The token could not be checked because the signing keys are unavailable; try again shortly.';

/** A `SessionCheckUnavailableError` for a key-source failure; `cause` keeps the detail for logs. */
export function keysUnavailable(cause: unknown): SessionCheckUnavailableError {
  return new SessionCheckUnavailableError(KEYS_UNAVAILABLE_MESSAGE, { cause });
}

/** A cause that is safe to log: jose's error code, and the claim and reason when a claim failed, never the payload. */
function safeCause(error: errors.JOSEError): Record<string, string> {
  const cause: Record<string, string> = { code: error.code };
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) {
    cause.claim = error.claim;
    cause.reason = error.reason;
  }
  return cause;
}

function claimMessage(error: errors.JWTClaimValidationFailed): string {
  if (error.reason === 'missing') return `The token lacks the required "${error.claim}" claim.`;
  switch (error.claim) {
    case 'aud':
      return 'The token audience is not accepted.';
    case 'iss':
      return 'The token issuer is not accepted.';
    case 'typ':
      return 'The token type is not accepted.';
    case 'nbf':
      return error.reason === 'invalid' ? 'The token has an invalid "nbf" claim.' : 'The token is not valid yet.';
    default:
      return `The token has an invalid "${error.claim}" claim.`;
  }
}

/**
 * Turns what `jwtVerify` threw into this package's refusal. A `SessionGuardError` (thrown by the key resolver for
 * an outage) passes through; a jose error about the token becomes an `InvalidTokenError` with a short message
 * that never contains the token; anything else is not a verdict on the token and is re-thrown as it is.
 */
export function toGuardError(error: unknown): unknown {
  if (isSessionGuardError(error)) return error;
  if (!(error instanceof errors.JOSEError)) return error;
  const cause = safeCause(error);
  let message: string;
  if (error instanceof errors.JWTExpired) message = 'The token has expired.';
  else if (error instanceof errors.JWTClaimValidationFailed) message = claimMessage(error);
  else if (error instanceof errors.JWSSignatureVerificationFailed) message = 'The token signature is not valid.';
  else if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) message = 'The token is malformed.';
  else if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    message = 'The token algorithm is not accepted.';
  } else if (error instanceof errors.JWKSNoMatchingKey) message = 'The token was signed with an unknown key.';
  else if (error instanceof errors.JWKSMultipleMatchingKeys) message = 'The token signing key is ambiguous.';
  else message = 'The token is not valid.';
  return new InvalidTokenError(message, { cause });
}
