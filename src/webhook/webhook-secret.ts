import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The headers GenAuth may carry the webhook's secret in, verbatim (there is no HMAC signature). Its docs name
 * all three; a delivery log shows `x-authing-token` and `x-authing-webhook-secret` together.
 */
export const WEBHOOK_SECRET_HEADERS = ['x-authing-webhook-secret', 'x-authing-token', 'x-genauth-token'] as const;

/** A request's headers as Node delivers them: lower-case names, repeated headers as arrays. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/**
 * What the secret headers of a delivery say: `authentic`, or why not: `missing` (none of
 * {@link WEBHOOK_SECRET_HEADERS}), `wrong` (none carries the secret), `repeated` (one was sent more than once).
 */
export type WebhookSecretVerdict = 'authentic' | 'missing' | 'wrong' | 'repeated';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** How many times each secret header appears in Node's `rawHeaders` (`[name, value, name, value, ...]`). */
function rawCounts(rawHeaders: readonly string[]): number[] {
  const counts = WEBHOOK_SECRET_HEADERS.map(() => 0);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const index = (WEBHOOK_SECRET_HEADERS as readonly string[]).indexOf(String(rawHeaders[i]).toLowerCase());
    if (index >= 0) counts[index]!++;
  }
  return counts;
}

/**
 * The secret-header rule (docs/webhooks.md, "Authenticity"): a delivery is authentic when AT LEAST ONE of
 * {@link WEBHOOK_SECRET_HEADERS} carries `secret`, and none of them was sent more than once.
 * - At least one, not all: GenAuth's docs show `X-Authing-Token` and `x-authing-webhook-secret` on one delivery; if
 *   one of them ever carries something else (another token, a rename), requiring all would refuse every delivery and
 *   revocation would silently fall back to the TTL. A forger still needs the secret in one of them.
 * - A header sent twice is refused: GenAuth sends each once, so a second copy was added on the way and which one is
 *   GenAuth's cannot be told. Node joins a repeated `x-*` header into one string (`"a, b"`), so the copies are counted
 *   in `rawHeaders` when given; an array value (other frameworks, `headersDistinct`) counts too.
 * Every present header is compared, in constant time over SHA-256 digests (no early exit on the first match).
 */
export function checkWebhookSecret(headers: WebhookHeaders, secret: string, rawHeaders?: readonly string[]): WebhookSecretVerdict {
  const expected = digest(secret);
  const copies = rawHeaders === undefined ? undefined : rawCounts(rawHeaders);
  let present = 0;
  let matched = false;
  let repeated = false;
  WEBHOOK_SECRET_HEADERS.forEach((name, index) => {
    const value = headers[name];
    const rawCopies = copies?.[index] ?? 0;
    if (value === undefined && rawCopies === 0) return;
    present++;
    if (Array.isArray(value) || rawCopies > 1) {
      repeated = true;
      return;
    }
    const equal = typeof value === 'string' && timingSafeEqual(digest(value), expected);
    matched = equal || matched;
  });
  if (repeated) return 'repeated';
  if (present === 0) return 'missing';
  return matched ? 'authentic' : 'wrong';
}
