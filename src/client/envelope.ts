import type { UpstreamResponse } from './transport';
import { UpstreamError } from './upstream-error';

/** GenAuth's answer envelope: success is `statusCode === 200` in the body, whatever the HTTP status. */
export interface Envelope {
  statusCode: number;
  apiCode?: number;
  message?: string;
  data?: unknown;
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or `undefined`. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

function asEnvelope(value: unknown): Envelope | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.statusCode !== 'number' || !Number.isInteger(record.statusCode)) return undefined;
  return {
    statusCode: record.statusCode,
    apiCode: typeof record.apiCode === 'number' ? record.apiCode : undefined,
    message: typeof record.message === 'string' ? record.message : undefined,
    data: record.data,
  };
}

/**
 * Turns GenAuth's answer into an envelope, or throws an `UpstreamError` for HTTP 429, HTTP errors without an
 * envelope, bodies that are not JSON, too large or not shaped like the envelope. Envelopes with a non-200
 * `statusCode` are returned: the caller decides what they mean.
 */
export async function readEnvelope(response: UpstreamResponse, endpoint: string, maxBytes: number): Promise<Envelope> {
  const httpStatus = response.status;
  const retryAfterSec = parseRetryAfter(response.header('retry-after'));
  if (httpStatus === 429) {
    response.discard();
    throw new UpstreamError('throttled', `${endpoint}: HTTP 429`, { httpStatus, retryAfterSec });
  }
  // Not followed (a redirect could send the management credentials elsewhere): a network-level failure, as Node's
  // fetch reports `redirect: 'error'`.
  if (httpStatus >= 300 && httpStatus < 400) {
    response.discard();
    throw new UpstreamError('network', `${endpoint}: HTTP ${httpStatus} redirect, not followed`, { httpStatus });
  }
  const text = await response.text(maxBytes, endpoint);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UpstreamError(httpStatus >= 200 && httpStatus < 300 ? 'malformed' : 'http',
      `${endpoint}: HTTP ${httpStatus} with a body that is not JSON`, { httpStatus, retryAfterSec });
  }
  const envelope = asEnvelope(parsed);
  if (!envelope) {
    throw new UpstreamError(httpStatus >= 200 && httpStatus < 300 ? 'malformed' : 'http',
      `${endpoint}: HTTP ${httpStatus} with a body that is not GenAuth's answer envelope`, { httpStatus, retryAfterSec });
  }
  if (envelope.statusCode === 200 && (httpStatus < 200 || httpStatus >= 300)) {
    throw new UpstreamError('http', `${endpoint}: HTTP ${httpStatus}`, { httpStatus, retryAfterSec });
  }
  return envelope;
}

/** The `UpstreamError` for an envelope whose `statusCode` is not 200. */
export function envelopeError(endpoint: string, envelope: Envelope, httpStatus?: number, retryAfterSec?: number): UpstreamError {
  const { statusCode, apiCode } = envelope;
  const details = { httpStatus, statusCode, apiCode, retryAfterSec };
  const what = `${endpoint}: statusCode ${statusCode}${apiCode === undefined ? '' : ` apiCode ${apiCode}`}`;
  if (statusCode === 401 || statusCode === 403 || (apiCode !== undefined && apiCode >= 1300 && apiCode <= 1306) || apiCode === 2333) {
    return new UpstreamError('credentials', `${what} (management credentials refused)`, details);
  }
  if (statusCode === 429) return new UpstreamError('throttled', what, details);
  if (statusCode >= 500) return new UpstreamError('server', what, details);
  return new UpstreamError('rejected', what, details);
}
