import type { SessionGuardError } from './errors';
import { SessionCheckUnavailableError } from './errors';

/** RFC 6750 quoted-string content: printable ASCII without `"` and `\`. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]|["\\]/g, '')}"`;
}

/**
 * The headers of a refusal: `WWW-Authenticate` (RFC 6750) for 401s and 403s, `Retry-After` for 503s.
 * The realm is the route's app id.
 */
export function challengeHeaders(error: SessionGuardError, realm: string): Record<string, string> {
  if (error instanceof SessionCheckUnavailableError) {
    return { 'retry-after': String(error.retryAfterSec) };
  }
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
