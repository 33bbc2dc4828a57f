import { UpstreamError } from './upstream-error';

/** GenAuth's answer envelope: success is `statusCode === 200` in the body, whatever the HTTP status. */
export interface Envelope {
  statusCode: number;
  apiCode?: number;
  message?: string;
  data?: unknown;
}

/** Reads at most `maxBytes` of a body; a longer body is an error (and the rest is not downloaded). */
async function readCapped(response: Response, maxBytes: number, endpoint: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new UpstreamError('malformed', `${endpoint}: the answer is larger than ${maxBytes} bytes`, { httpStatus: response.status });
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new UpstreamError('malformed', `${endpoint}: the answer is larger than ${maxBytes} bytes`, { httpStatus: response.status });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
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
 * Turns a fetch `Response` into an envelope, or throws an `UpstreamError` for HTTP 429, HTTP errors without an
 * envelope, bodies that are not JSON, too large or not shaped like the envelope. Envelopes with a non-200
 * `statusCode` are returned: the caller decides what they mean.
 */
export async function readEnvelope(response: Response, endpoint: string, maxBytes: number): Promise<Envelope> {
  const httpStatus = response.status;
  const retryAfterSec = parseRetryAfter(response.headers.get('retry-after'));
  if (httpStatus === 429) {
    await response.body?.cancel().catch(() => undefined);
    throw new UpstreamError('throttled', `${endpoint}: HTTP 429`, { httpStatus, retryAfterSec });
  }
  const text = await readCapped(response, maxBytes, endpoint);
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
