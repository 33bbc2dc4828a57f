import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The headers GenAuth may carry the webhook's secret in, verbatim (there is no HMAC signature). Its docs name
 * all three; a delivery log shows `x-authing-token` and `x-authing-webhook-secret` together.
 */
export const WEBHOOK_SECRET_HEADERS = ['x-authing-webhook-secret', 'x-authing-token', 'x-genauth-token'] as const;

/** A request's headers as Node delivers them: lower-case names, repeated headers as arrays. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Whether a delivery is authentic: at least one of {@link WEBHOOK_SECRET_HEADERS} is present and every present one
 * equals `secret`. Each comparison runs in constant time over equal-length SHA-256 digests, and every present
 * header is compared (no early exit on the first mismatch). A header sent twice (an array) counts as a mismatch.
 */
export function isAuthenticWebhook(headers: WebhookHeaders, secret: string): boolean {
  const expected = digest(secret);
  let present = 0;
  let allEqual = true;
  for (const name of WEBHOOK_SECRET_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    present++;
    const equal = typeof value === 'string' && timingSafeEqual(digest(value), expected);
    allEqual = allEqual && equal;
  }
  return present > 0 && allEqual;
}
