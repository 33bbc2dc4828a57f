/**
 * genauthWebhook options fail closed (issue 18, item 4): `maxBody` or `propagationWait` used to be ignored. A
 * TypeError names the unknown key and the key meant, never the secret; no receiver is built.
 */
import { createGenAuthWebhookHandler, createSessionGuard, genauthWebhook, header, type SessionGuard } from '../../src/index';
import { genauthWebhook as koaWebhook } from '../../src/koa';
import { SECRET } from './support';

describe('genauthWebhook / createGenAuthWebhookHandler reject unknown option keys', () => {
  let guard: SessionGuard;
  beforeAll(() => {
    guard = createSessionGuard({ host: 'http://127.0.0.1:1', accessKeyId: 'id', accessKeySecret: 'secret', identity: header('x-user-id') });
  });
  afterAll(() => guard.close());

  const factories: Array<[string, (options: never) => unknown]> = [
    ['createGenAuthWebhookHandler', createGenAuthWebhookHandler],
    ['Express genauthWebhook', genauthWebhook],
    ['Koa genauthWebhook', koaWebhook],
  ];

  it.each(factories)('%s', (_name, create) => {
    for (const [extra, message] of [
      [{ maxBody: 1_024 }, 'unknown option "maxBody" in genauthWebhook options; did you mean "maxBodyBytes"?'],
      [{ propagationWait: 0 }, 'unknown option "propagationWait" in genauthWebhook options; did you mean "propagationWaitMs"?'],
      [{ secrets: [SECRET] }, 'unknown option "secrets" in genauthWebhook options; did you mean "secret"?'],
    ] as const) {
      let caught: unknown;
      try {
        create({ guard, secret: SECRET, ...extra } as never);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TypeError);
      expect((caught as Error).message).toBe(`genauth-session-guard: ${message}`);
      expect((caught as Error).message).not.toContain(SECRET);
    }
    expect(() => create({ guard, secret: SECRET, maxBodyBytes: 1_024, propagationWaitMs: 0 } as never)).not.toThrow();
  });
});
