import { asError } from '../core/as-error';
import { AUTHORIZATION_OPTION_KEYS, type AuthorizationOptions } from '../core/authorization-policy';
import { isSessionGuardError } from '../core/errors';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import type { AuthenticateOptions, SessionGuard } from '../core/session-guard';
import type { IdentityExtractor, SessionAuth } from '../core/types';
import { refusalResponse } from './refusal-response';
import { isWebRequest, requestLikeOf } from './request-view';

/** Options of {@link authenticateRequest}. Any other key is a `TypeError` naming it. */
export interface AuthenticateRequestOptions extends AuthorizationOptions {
  /** The guard to use: one per process, from `createSessionGuard`. Required. */
  guard: SessionGuard;
  /** Another extractor for this call. @default the guard's `identity` */
  identity?: IdentityExtractor;
}

const AUTHENTICATE_REQUEST_KEYS = {
  guard: true,
  identity: true,
  ...AUTHORIZATION_OPTION_KEYS,
} as const satisfies OptionKeys<AuthenticateRequestOptions>;

/** What {@link authenticateRequest} resolves to: the auth of a passed request, or the refusal to send back. */
export type AuthenticateRequestResult = { auth: SessionAuth; response?: never } | { response: Response; auth?: never };

interface Resolved {
  guard: SessionGuard;
  options: AuthenticateOptions | undefined;
}

/** Checked once per options object: an options constant of a module is not checked again per request. */
const RESOLVED = new WeakMap<object, Resolved>();

function resolve(options: AuthenticateRequestOptions): Resolved {
  const known = RESOLVED.get(options);
  if (known) return known;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('genauth-session-guard: authenticateRequest(request, appId, { guard }) needs options with `guard`.');
  }
  assertKnownKeys(options, AUTHENTICATE_REQUEST_KEYS, 'authenticateRequest options');
  const { guard, identity, roles, permissions, scopes } = options;
  if (typeof guard?.authenticate !== 'function') {
    throw new TypeError('genauth-session-guard: authenticateRequest needs `guard`, a guard from createSessionGuard().');
  }
  if (identity !== undefined && typeof identity !== 'function') {
    throw new TypeError('genauth-session-guard: `identity` must be an extractor function.');
  }
  const asked = identity !== undefined || roles !== undefined || permissions !== undefined || scopes !== undefined;
  // The guard checks the policy (a TypeError for a malformed one) and keeps it per options object: one object here.
  const resolved = { guard, options: asked ? { identity, roles, permissions, scopes } : undefined };
  RESOLVED.set(options, resolved);
  return resolved;
}

/**
 * Lets a Web-standard request through only when GenAuth confirms the caller's live session in `appId`: for a
 * Next.js route handler, `Bun.serve`, `Deno.serve`, a Cloudflare-style `fetch` handler. Resolves `{ auth }` on a
 * pass, `{ response }` on a refusal: the `Response` to send back (the error's status, its headers
 * `WWW-Authenticate` or `Retry-After`, JSON `{ error, message }`), as the Express adapter answers.
 *
 * Headers are read from `request.headers` as the extractors ask for them. A header that `Headers` joined with `, `
 * (sent more than once) is refused by the single-valued extractors (`bearerJwt`, `header`), as on Node.
 *
 * Rejects (never resolves a refusal) for programming errors: `request` not a `Request`, options missing `guard` or
 * with an unknown key, a malformed `roles`/`permissions`/`scopes`, an `appId` that is not a string (a blank one is a
 * 400 `invalid_app_id` response), or whatever an extractor of your own throws that is not a refusal (as an `Error`).
 * @example
 * ```ts
 * const { auth, response } = await authenticateRequest(request, 'app-id', { guard });
 * if (response) return response;
 * return Response.json({ userId: auth.userId });
 * ```
 */
export async function authenticateRequest(
  request: Request,
  appId: string,
  options: AuthenticateRequestOptions,
): Promise<AuthenticateRequestResult> {
  if (!isWebRequest(request)) {
    throw new TypeError('genauth-session-guard: authenticateRequest(request, appId, { guard }) needs a Web `Request`.');
  }
  const { guard, options: authenticateOptions } = resolve(options);
  try {
    return { auth: await guard.authenticate(requestLikeOf(request), appId, authenticateOptions) };
  } catch (error) {
    if (isSessionGuardError(error)) return { response: refusalResponse(error) };
    throw asError(error);
  }
}
