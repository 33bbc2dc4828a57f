import type { IncomingHttpHeaders } from 'node:http';
import { computeSignature, stringToSign } from '../client/request-signature';
import { safeEqual } from './safe-equal';

/** The two brandings of the request signature: `authing <id>:<sig>` with `x-authing-*` headers, or `GenAuth <id>:<sig>` with `x-genauth-*` headers. */
export type SignatureBrand = 'authing' | 'genauth';

/** What the verifier needs of a request. */
export interface SignedRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body (POST) or the query parameters (GET). */
  params: Record<string, unknown> | undefined;
}

/** The verdict on a signed request. apiCodes: 1300 bad signature or key id, 1304 missing date, 1305 skew, 1306 replay. */
export type SignatureVerdict = { ok: true } | { ok: false; apiCode: 1300 | 1304 | 1305 | 1306; message: string };

const AUTHING_PREFIX = 'x-authing-';
const GENAUTH_PREFIX = 'x-genauth-';

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The received headers as flat strings; for the GenAuth brand, only `date` and `x-genauth-*`, renamed `x-authing-*`. */
function headersToSign(headers: IncomingHttpHeaders, brand: SignatureBrand): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const value = headerValue(raw);
    if (value === undefined) continue;
    if (brand === 'authing') out[name] = value;
    else if (name === 'date') out[name] = value;
    else if (name.startsWith(GENAUTH_PREFIX)) out[AUTHING_PREFIX + name.slice(GENAUTH_PREFIX.length)] = value;
  }
  return out;
}

/**
 * The string to sign, reusing the client's canonicalisation. For the GenAuth brand the header lines are computed
 * with `x-authing-` names (same length prefix, so the same order) and renamed back.
 */
function canonicalString(request: SignedRequest, brand: SignatureBrand): string {
  const headers = headersToSign(request.headers, brand);
  const text = stringToSign(request.method, request.path, headers, request.params);
  if (brand === 'authing') return text;
  const lines = text.split('\n');
  // Line 0 is the method; each signed header is one line (its value cannot hold a newline); the rest is the resource.
  const signedCount = Object.keys(headers).length;
  for (let i = 1; i <= signedCount && i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith(AUTHING_PREFIX)) lines[i] = GENAUTH_PREFIX + line.slice(AUTHING_PREFIX.length);
  }
  return lines.join('\n');
}

/** Verifies HMAC-SHA1 request signatures, with date skew and nonce replay checks. */
export class SignatureVerifier {
  /** nonce -> when it was seen (fake clock) */
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly accessKeyId: string,
    private readonly accessKeySecret: string,
    private readonly clock: () => number,
    private readonly skewMs: number,
  ) {}

  /** `credentials` is what follows the scheme word: `<accessKeyId>:<signature>`. */
  verify(brand: SignatureBrand, credentials: string, request: SignedRequest): SignatureVerdict {
    const prefix = brand === 'authing' ? AUTHING_PREFIX : GENAUTH_PREFIX;
    const date = headerValue(request.headers.date);
    if (date === undefined || date.trim() === '') return { ok: false, apiCode: 1304, message: 'missing date header' };
    const sentAt = Date.parse(date);
    if (Number.isNaN(sentAt)) return { ok: false, apiCode: 1304, message: 'unreadable date header' };
    const now = this.clock();
    if (Math.abs(sentAt - now) > this.skewMs) return { ok: false, apiCode: 1305, message: 'date too far from server time' };

    const method = headerValue(request.headers[`${prefix}signature-method`]);
    if (method !== undefined && method.trim().toUpperCase() !== 'HMAC-SHA1') {
      return { ok: false, apiCode: 1300, message: 'unsupported signature method' };
    }
    const separator = credentials.lastIndexOf(':');
    const keyId = separator < 0 ? '' : credentials.slice(0, separator).trim();
    const signature = separator < 0 ? '' : credentials.slice(separator + 1).trim();
    const expected = computeSignature(this.accessKeySecret, canonicalString(request, brand));
    const keyOk = safeEqual(keyId, this.accessKeyId);
    const signatureOk = safeEqual(signature, expected);
    if (!keyOk || !signatureOk) return { ok: false, apiCode: 1300, message: 'signature does not match' };

    const nonce = headerValue(request.headers[`${prefix}signature-nonce`])?.trim();
    if (!nonce) return { ok: false, apiCode: 1300, message: 'missing signature nonce' };
    this.forgetOldNonces(now);
    if (this.nonces.has(nonce)) return { ok: false, apiCode: 1306, message: 'signature nonce already used' };
    this.nonces.set(nonce, now);
    return { ok: true };
  }

  /** A nonce older than twice the skew window can no longer come with an acceptable date. */
  private forgetOldNonces(now: number): void {
    for (const [nonce, seenAt] of this.nonces) {
      if (Math.abs(now - seenAt) > 2 * this.skewMs) this.nonces.delete(nonce);
    }
  }
}
