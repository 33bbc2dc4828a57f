/**
 * The secret-header rule itself (docs/webhooks.md, "Authenticity"), called directly: over HTTP, Node joins a header
 * sent twice into one string, so the array and rawHeaders branches are only reached here (and, for rawHeaders,
 * through the receivers in receiver.test.ts).
 */
import { checkWebhookSecret, WEBHOOK_SECRET_HEADERS } from '../../src/webhook/webhook-secret';
import { SECRET } from './support';

describe('checkWebhookSecret: at least one secret header carries the secret, none is sent twice', () => {
  it.each(WEBHOOK_SECRET_HEADERS)('authentic with the secret in %s alone', (name) => {
    expect(checkWebhookSecret({ [name]: SECRET }, SECRET)).toBe('authentic');
    expect(checkWebhookSecret({ [name]: SECRET }, SECRET, [name, SECRET])).toBe('authentic');
  });

  it('authentic when one header carries the secret and the others something else', () => {
    expect(checkWebhookSecret({ 'x-authing-webhook-secret': SECRET, 'x-authing-token': 'another-token' }, SECRET)).toBe('authentic');
    expect(checkWebhookSecret({ 'x-authing-webhook-secret': 'a', 'x-authing-token': 'b', 'x-genauth-token': SECRET }, SECRET)).toBe('authentic');
  });

  it('wrong when no header carries the secret, missing when none is there', () => {
    expect(checkWebhookSecret({ 'x-authing-webhook-secret': 'a', 'x-authing-token': 'b' }, SECRET)).toBe('wrong');
    expect(checkWebhookSecret({ 'x-authing-token': '' }, SECRET)).toBe('wrong');
    expect(checkWebhookSecret({ 'x-authing-token': `${SECRET}, ${SECRET}` }, SECRET)).toBe('wrong');
    expect(checkWebhookSecret({ authorization: SECRET, 'x-authing-token-2': SECRET }, SECRET)).toBe('missing');
    expect(checkWebhookSecret({}, SECRET)).toBe('missing');
  });

  describe('a header sent twice is refused', () => {
    it('as an array value (frameworks that keep repeated headers apart, headersDistinct)', () => {
      expect(checkWebhookSecret({ 'x-authing-token': [SECRET, SECRET] }, SECRET)).toBe('repeated');
      // The other header carries the secret: still refused.
      expect(checkWebhookSecret({ 'x-authing-webhook-secret': SECRET, 'x-authing-token': [SECRET, 'other'] }, SECRET)).toBe('repeated');
    });

    it('as two copies in rawHeaders, whatever the case of the names, joined by Node in headers', () => {
      const headers = { 'x-authing-webhook-secret': SECRET, 'x-authing-token': `${SECRET}, ${SECRET}` };
      const rawHeaders = ['X-Authing-Webhook-Secret', SECRET, 'X-Authing-Token', SECRET, 'x-authing-token', SECRET];
      expect(checkWebhookSecret(headers, SECRET, rawHeaders)).toBe('repeated');
      // The same delivery without rawHeaders cannot be told apart from a mismatch in one header.
      expect(checkWebhookSecret(headers, SECRET)).toBe('authentic');
    });

    it('the secret header alone, twice in rawHeaders', () => {
      const rawHeaders = ['x-genauth-token', SECRET, 'X-GENAUTH-TOKEN', SECRET];
      expect(checkWebhookSecret({ 'x-genauth-token': SECRET }, SECRET, rawHeaders)).toBe('repeated');
    });

    it('other headers sent twice do not matter', () => {
      const rawHeaders = ['x-authing-token', SECRET, 'accept', 'a', 'Accept', 'b'];
      expect(checkWebhookSecret({ 'x-authing-token': SECRET, accept: 'a, b' }, SECRET, rawHeaders)).toBe('authentic');
    });
  });
});
