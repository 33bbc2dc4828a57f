/** The shortest webhook secret accepted, by the receivers and by `webhook register` alike. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** Leading or trailing whitespace, or a control character: no HTTP header can carry it intact. */
const UNSENDABLE = /^\s|\s$|[\u0000-\u001f\u007f]/;

/**
 * The one rule for webhook secrets (`genauthWebhook`, `createGenAuthWebhookHandler`, `webhook register`): why
 * `secret` cannot be one, as words that follow "the webhook secret", or `undefined` when it can. GenAuth does not
 * sign deliveries: it sends the secret back verbatim, so the secret is all that keeps anyone who finds the URL from
 * dropping cached answers (a short one can be guessed), and a value a header cannot carry would refuse every
 * delivery. Never quotes the secret.
 */
export function webhookSecretProblem(secret: string): string | undefined {
  if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
    return `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters: GenAuth sends it back verbatim with every delivery ` +
      '(deliveries are not signed), so it is all that keeps anyone who finds the URL from dropping cached answers; ' +
      'generate one with `openssl rand -hex 32`';
  }
  if (UNSENDABLE.test(secret)) {
    return 'must not begin or end with whitespace nor hold a control character (a trailing newline read from a file?): ' +
      'HTTP header values cannot carry them, so no delivery would ever match it';
  }
  return undefined;
}
