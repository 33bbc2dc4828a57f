import { trimTrailingSlashes } from '../core/trim';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `https:` anywhere, plain `http:` on loopback only (tests, the shipped fake): what may carry keys or answers. */
export function isTrustedTransport(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/**
 * Normalises a GenAuth host as the SDKs do: `https://` is added when no scheme is given, trailing slashes are
 * dropped. Throws a `TypeError` for anything that is not a bare origin: a path (`example.com/api/v3` would give
 * `/api/v3/api/v3/...` URLs), credentials, a query or a fragment. Plain `http://` is only accepted for loopback
 * hosts (tests, the shipped fake).
 */
export function normalizeHost(input: string): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new TypeError('genauth-session-guard: `host` must be a non-empty string such as "https://api.genauth.ai" (or set GENAUTH_HOST).');
  }
  const raw = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    // The value is not echoed: a mistyped host may carry credentials.
    throw new TypeError('genauth-session-guard: `host` is not a valid URL; expected e.g. "https://api.genauth.ai".');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`genauth-session-guard: \`host\` must use https, got ${url.protocol}`);
  }
  if (!isTrustedTransport(url)) {
    throw new TypeError('genauth-session-guard: `host` must use https (plain http is accepted for loopback hosts only).');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new TypeError('genauth-session-guard: `host` must not carry credentials, a query or a fragment.');
  }
  if (trimTrailingSlashes(url.pathname) !== '') {
    throw new TypeError('genauth-session-guard: `host` must be an origin without a path, e.g. "https://api.genauth.ai" (the guard adds /api/v3/...).');
  }
  return url.origin;
}
