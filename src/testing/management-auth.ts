import type { IncomingHttpHeaders } from 'node:http';
import type { ManagementTokens } from './management-tokens';
import type { SignatureVerifier, SignedRequest } from './signature-check';

/** Why a management request was refused: a 401 envelope's message and apiCode. */
export interface AuthRefusal {
  message: string;
  apiCode?: number;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks the authentication of a management request, under either scheme:
 * `Bearer <management token>` with `x-authing-userpool-id`, or a request signature (`authing <id>:<sig>`, or the
 * GenAuth-branded `GenAuth <id>:<sig>`). Returns `undefined` when the request is authenticated.
 */
export function checkManagementAuth(
  request: SignedRequest,
  deps: { tokens: ManagementTokens; signatures: SignatureVerifier; userPoolId: string },
): AuthRefusal | undefined {
  const header = single(request.headers.authorization)?.trim();
  if (!header) return { message: 'missing authorization header' };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'bearer') return checkBearer(rest, request.headers, deps);
  if (scheme === 'authing' || scheme === 'genauth') {
    const verdict = deps.signatures.verify(scheme, rest, request);
    return verdict.ok ? undefined : { message: verdict.message, apiCode: verdict.apiCode };
  }
  return { message: 'unsupported authorization scheme' };
}

function checkBearer(
  token: string,
  headers: IncomingHttpHeaders,
  deps: { tokens: ManagementTokens; userPoolId: string },
): AuthRefusal | undefined {
  if (!token) return { message: 'missing management token' };
  const refusal = deps.tokens.check(token);
  if (refusal === 'expired' || refusal === 'revoked') return { message: 'management token expired' };
  if (refusal === 'unknown') return { message: 'invalid management token' };
  const pool = single(headers['x-authing-userpool-id']) ?? single(headers['x-genauth-userpool-id']);
  if (pool === undefined) return { message: 'missing x-authing-userpool-id header' };
  if (pool.trim() !== deps.userPoolId) return { message: 'user pool id does not match the token' };
  return undefined;
}
