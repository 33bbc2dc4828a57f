import { UpstreamError, type UpstreamFailureKind } from '../client/upstream-error';
import { KEYS_UNAVAILABLE_MESSAGE } from '../extractors/jwt-errors';

/**
 * Why a session could not be checked, in one line a person can act on: built from this package's own error
 * messages (endpoint, statusCode, apiCode, error code of the network), never from a token, a secret or the text
 * of an upstream answer.
 */
export function failureReason(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof UpstreamError) return upstreamReason(current);
    if (current instanceof Error && current.message === KEYS_UNAVAILABLE_MESSAGE) {
      return `the signing keys could not be loaded: ${causeDetail(current.cause)}`;
    }
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return undefined;
}

const CREDENTIALS_HINT =
  'check accessKeyId and accessKeySecret (GENAUTH_ACCESS_KEY_ID, GENAUTH_ACCESS_KEY_SECRET) and the `auth` scheme';

/** The reason of an upstream failure, with what to check. */
export function upstreamReason(error: UpstreamError): string {
  const what = error.message;
  switch (error.kind) {
    case 'credentials':
      if (error.apiCode === 1304 || error.apiCode === 1305) {
        return `GenAuth refused the request signature (${what}): the date of this machine is too far from GenAuth's clock`;
      }
      return `GenAuth refused the management credentials (${what}): ${CREDENTIALS_HINT}`;
    case 'timeout':
      return `GenAuth did not answer in time (${what})`;
    case 'network':
      return `GenAuth could not be reached (${what}): check the host (GENAUTH_HOST) and the network`;
    case 'http':
      return `GenAuth answered with an HTTP error (${what}): check the host (GENAUTH_HOST)`;
    case 'throttled':
      return `GenAuth is throttling the calls (${what})`;
    case 'server':
      return `GenAuth had a server error (${what})`;
    case 'malformed':
      return `GenAuth's answer was not understood (${what})`;
    case 'rejected':
      return `GenAuth rejected the call (${what})${rejectedHint(error.apiCode)}`;
    default:
      return what;
  }
}

function rejectedHint(apiCode: number | undefined): string {
  if (apiCode === 2224) return ': the user pool was not found; check accessKeyId';
  if (apiCode === 2011) return ': the application was not found; check the app id of the route';
  return '';
}

/** The reason of one attempt seen on the `upstream` channel (kind and codes only: the error object is not there). */
export function attemptReason(
  endpoint: string,
  outcome: UpstreamFailureKind,
  details: { httpStatus?: number; statusCode?: number; apiCode?: number },
): string {
  const codes = [
    details.httpStatus === undefined ? undefined : `HTTP ${details.httpStatus}`,
    details.statusCode === undefined ? undefined : `statusCode ${details.statusCode}`,
    details.apiCode === undefined ? undefined : `apiCode ${details.apiCode}`,
  ].filter((part) => part !== undefined).join(', ');
  return upstreamReason(new UpstreamError(outcome, codes === '' ? `${endpoint}: ${outcome}` : `${endpoint}: ${codes}`, details));
}

/**
 * A key-source failure's cause as one line: discovery's own message or jose's, followed by what lies deeper (a
 * timeout, or the network error code such as ECONNREFUSED).
 */
function causeDetail(cause: unknown): string {
  if (!isErrorLike(cause)) return 'unknown cause';
  if (cause.name === 'JWKSTimeout') return 'the JWKS endpoint did not answer in time';
  let below = '';
  for (let inner: unknown = cause.cause, depth = 0; isErrorLike(inner) && depth < 4; inner = inner.cause, depth++) {
    const code = (inner as { code?: unknown }).code;
    if (inner.name === 'TimeoutError') {
      below = ' (timed out)';
      break;
    }
    if (typeof code === 'string') {
      below = ` (${code})`;
      break;
    }
  }
  return `${cause.message}${below}`;
}

/** An error of any realm (fetch's errors come from Node's own realm, not a sandbox's `Error`). */
function isErrorLike(value: unknown): value is { name: unknown; message: string; cause?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
