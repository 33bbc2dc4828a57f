import { isTrustedTransport } from '../client/host';
import { isSessionGuardError, type SessionCheckUnavailableError } from '../core/errors';
import type { FetchLike } from '../core/types';
import { keysUnavailable } from './jwt-errors';

/** How long a discovery request may take, body included. */
const DISCOVERY_TIMEOUT_MS = 5000;
/** The largest discovery document read. */
const MAX_DOCUMENT_CHARS = 512 * 1024;

/** `${issuer}/.well-known/openid-configuration`, with a trailing slash of the issuer dropped (OIDC Discovery §4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

async function fetchJwksUri(issuer: string, fetchImpl: FetchLike): Promise<URL> {
  const url = discoveryUrl(issuer);
  const fail = (detail: string, cause?: unknown): SessionCheckUnavailableError =>
    keysUnavailable(new Error(`OIDC discovery at ${url} failed: ${detail}`, { cause }));
  let text: string;
  try {
    const response = await fetchImpl(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw fail(`HTTP status ${response.status}`);
    }
    text = await response.text();
  } catch (error) {
    if (isSessionGuardError(error)) throw error;
    throw fail('the request did not complete', error);
  }
  if (text.length > MAX_DOCUMENT_CHARS) throw fail('the document is too large');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw fail('the answer is not JSON', error);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw fail('the answer is not a JSON object');
  }
  const { issuer: documentIssuer, jwks_uri: jwksUri } = document as Record<string, unknown>;
  if (documentIssuer !== issuer) {
    throw fail(`the document names issuer ${JSON.stringify(documentIssuer)}, not the configured ${JSON.stringify(issuer)}`);
  }
  if (typeof jwksUri !== 'string') throw fail('the document has no jwks_uri');
  let parsed: URL;
  try {
    parsed = new URL(jwksUri);
  } catch (error) {
    throw fail('jwks_uri is not a URL', error);
  }
  if (!isTrustedTransport(parsed)) throw fail('jwks_uri is not an https URL (plain http is accepted on loopback only)');
  return parsed;
}

/**
 * Returns a function resolving the issuer's `jwks_uri` from its OIDC discovery document. The document is fetched
 * on the first call, not before; concurrent callers share one request; a success is kept for the life of the
 * resolver; a failure is not kept, so the next call tries again. Every failure rejects with a
 * `SessionCheckUnavailableError` (an outage, not a bad token); an `issuer` in the document other than the
 * configured one counts as a failure.
 */
export function createJwksUriDiscovery(issuer: string, fetchImpl: FetchLike = fetch): () => Promise<URL> {
  let pending: Promise<URL> | undefined;
  return () => {
    if (pending === undefined) {
      const attempt = fetchJwksUri(issuer, fetchImpl);
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}
