import type { WebhookRejection } from './webhook-outcome';
import { WEBHOOK_SECRET_HEADERS } from './webhook-secret';

/**
 * Why exactly a delivery was refused: its secret headers (`secret-missing`: none of them; `secret-wrong`: none
 * carries the secret; `secret-repeated`: one was sent twice), or its body (`malformed`, `too-large`).
 */
export type WebhookRefusalCause = 'secret-missing' | 'secret-wrong' | 'secret-repeated' | 'malformed' | 'too-large';

/** The `process.emitWarning` code of a refused delivery (once per cause and guard). */
export const WEBHOOK_REFUSED_WARNING = 'GENAUTH_SESSION_GUARD_WEBHOOK_REFUSED';

const HEADERS = WEBHOOK_SECRET_HEADERS.join(', ');

const WHAT: Record<WebhookRefusalCause, { reason: WebhookRejection; text: string }> = {
  'secret-missing': {
    reason: 'unauthenticated',
    text: `(401): it carried none of the secret headers (${HEADERS}); if GenAuth sent it, a proxy in front of the app drops them`,
  },
  'secret-wrong': {
    reason: 'unauthenticated',
    text: `(401): none of its secret headers (${HEADERS}) equals the receiver's \`secret\`; set the same secret on the ` +
      'webhook in the GenAuth console and in the receiver (GENAUTH_WEBHOOK_SECRET)',
  },
  'secret-repeated': {
    reason: 'unauthenticated',
    text: `(401): a secret header (${HEADERS}) was sent more than once, so which copy is GenAuth's cannot be told; ` +
      'check that no proxy adds one',
  },
  malformed: {
    reason: 'malformed',
    text: '(400): its body is not a JSON or form-encoded object with an eventName; check the webhook\'s content type ' +
      'in the GenAuth console, and that no body parser before the receiver consumed the body',
  },
  'too-large': {
    reason: 'too-large',
    text: '(413): its body is larger than `maxBodyBytes`',
  },
};

/** The rejection a cause is published as (`stats().webhookRejected`, the `webhook` channel's `reason`). */
export function rejectionOf(cause: WebhookRefusalCause): WebhookRejection {
  return WHAT[cause].reason;
}

/** The warning for a cause: what was refused and what to check. Never the secret, never the body. */
export function refusalWarning(cause: WebhookRefusalCause): string {
  return `genauth-session-guard: a GenAuth webhook delivery was refused ${WHAT[cause].text}. Every delivery refused ` +
    'for this reason changes nothing, and revocation falls back to cache.ttlMs; this is printed once per cause, ' +
    'guard.stats().webhookRejected counts them all.';
}
