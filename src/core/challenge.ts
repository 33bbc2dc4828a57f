import type { SessionCheckUnavailableError, SessionGuardError } from './errors';

/** RFC 6750 quoted-string content: printable ASCII without `"` and `\`. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]|["\\]/g, '')}"`;
}

/**
 * The headers of a refusal: `WWW-Authenticate` (RFC 6750) for 401s and 403s, `Retry-After` for 503s, none for a
 * 400. The realm is the route's app id. Told apart by `code`, not `instanceof`: the refusal may come from another
 * copy of the package (an extractor from the CommonJS build, the guard from the ES module build).
 */
export function challengeHeaders(error: SessionGuardError, realm: string): Record<string, string> {
  if (error.code === 'session_check_unavailable') {
    const { retryAfterSec } = error as SessionCheckUnavailableError;
    return { 'retry-after': String(Number.isInteger(retryAfterSec) && retryAfterSec >= 1 ? retryAfterSec : 1) };
  }
  if (error.code === 'invalid_app_id') return {};
  if (error.code === 'insufficient_permission') {
    return { 'www-authenticate': `Bearer realm=${quoted(realm)}, error="insufficient_scope"` };
  }
  if (error.code === 'missing_credentials') {
    return { 'www-authenticate': `Bearer realm=${quoted(realm)}` };
  }
  return {
    'www-authenticate': `Bearer realm=${quoted(realm)}, error="invalid_token", error_description=${quoted(error.message)}`,
  };
}
