import { isTrustedTransport } from '../client/host';
import { isSessionGuardError, type SessionCheckUnavailableError } from '../core/errors';
import { trimTrailingSlashes } from '../core/trim';
import type { FetchLike } from '../core/types';
import { keysUnavailable } from './jwt-errors';

/** How long a discovery request may take, body included. */
const DISCOVERY_TIMEOUT_MS = 5000;
/** The largest discovery document read. */
const MAX_DOCUMENT_CHARS = 512 * 1024;

/** `${issuer}/.well-known/openid-configuration`, with a trailing slash of the issuer dropped (OIDC Discovery §4). */
export function discoveryUrl(issuer: string): string {
  return `${trimTrailingSlashes(issuer)}/.well-known/openid-configuration`;
}

/** Told of a discovery failure that is a configuration mistake, not an outage: `code` names the cause. */
type Misconfigured = (code: DiscoveryWarningCode, message: string) => void;

/** The `process.emitWarning` codes of a discovery that shows a configuration mistake. */
export type DiscoveryWarningCode = 'GENAUTH_SESSION_GUARD_ISSUER_MISMATCH' | 'GENAUTH_SESSION_GUARD_ISSUER_NO_DISCOVERY';

/** Why the document's issuer differs from the configured one, with the fix when it is only a trailing slash. */
export function issuerMismatch(configured: string, documentIssuer: unknown): string {
  const named = (JSON.stringify(documentIssuer) ?? 'nothing').slice(0, 200);
  const base = `the document names issuer ${named}, not the configured ${JSON.stringify(configured)}`;
  if (typeof documentIssuer === 'string' && trimTrailingSlashes(configured) === trimTrailingSlashes(documentIssuer)) {
    return `${base}; set issuer to ${JSON.stringify(documentIssuer)} exactly (the trailing slash differs)`;
  }
  return base;
}

async function fetchJwksUri(issuer: string, fetchImpl: FetchLike, timeoutMs: number, misconfigured: Misconfigured): Promise<URL> {
  const url = discoveryUrl(issuer);
  const fail = (detail: string, cause?: unknown): SessionCheckUnavailableError =>
    keysUnavailable(new Error(`OIDC discovery at ${url} failed: ${detail}`, { cause }));
  let text: string;
  try {
    const response = await fetchImpl(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      const error = fail(`HTTP status ${response.status}`);
      if (response.status === 404) {
        misconfigured('GENAUTH_SESSION_GUARD_ISSUER_NO_DISCOVERY', `${(error.cause as Error).message}: is the issuer right?`);
      }
      throw error;
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
    const error = fail(issuerMismatch(issuer, documentIssuer));
    misconfigured('GENAUTH_SESSION_GUARD_ISSUER_MISMATCH', (error.cause as Error).message);
    throw error;
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
 *
 * A failure that shows a configuration mistake (the document names another issuer, a trailing slash included; no
 * document at all, HTTP 404) is also reported once per cause with `process.emitWarning` (codes
 * {@link DiscoveryWarningCode}): the requests it fails are answered 503, which would otherwise read as an outage.
 */
export function createJwksUriDiscovery(
  issuer: string,
  fetchImpl: FetchLike = fetch,
  { timeoutMs = DISCOVERY_TIMEOUT_MS, warn = true }: { timeoutMs?: number; warn?: boolean } = {},
): () => Promise<URL> {
  let pending: Promise<URL> | undefined;
  const warned = new Set<string>();
  const misconfigured: Misconfigured = (code, message) => {
    if (!warn || warned.has(code)) return;
    warned.add(code);
    process.emitWarning(`genauth-session-guard: OIDC discovery of the issuer failed: ${message}. Every request with a token is answered 503 until this is fixed; run \`npx genauth-session-guard doctor\`.`, { code });
  };
  return () => {
    if (pending === undefined) {
      const attempt = fetchJwksUri(issuer, fetchImpl, timeoutMs, misconfigured);
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}
