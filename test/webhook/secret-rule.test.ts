/**
 * One rule for webhook secrets (issue 20): the receivers (Express, Koa, createGenAuthWebhookHandler) refuse what
 * `webhook register` refuses, with the same reason, never quoting the secret.
 */
import { createGenAuthWebhookHandler, createSessionGuard, genauthWebhook, header, type SessionGuard } from '../../src/index';
import { genauthWebhook as koaWebhook } from '../../src/koa';
import { parseWebhookRegisterOptions } from '../../src/cli/webhook-options';
import { MIN_WEBHOOK_SECRET_LENGTH, webhookSecretProblem } from '../../src/webhook/webhook-secret-rule';

const SIXTEEN = 'k3Jd9a0Qm1Zx7Lp2';

describe('webhookSecretProblem', () => {
  it('accepts 16 characters and more', () => {
    expect(MIN_WEBHOOK_SECRET_LENGTH).toBe(16);
    expect(SIXTEEN).toHaveLength(16);
    expect(webhookSecretProblem(SIXTEEN)).toBeUndefined();
    expect(webhookSecretProblem('a'.repeat(64))).toBeUndefined();
    expect(webhookSecretProblem(`${SIXTEEN} with spaces inside`)).toBeUndefined();
  });

  it.each(['x', SIXTEEN.slice(0, 15), ''])('refuses %j: shorter than 16 characters, and says why', (secret) => {
    const problem = webhookSecretProblem(secret);
    expect(problem).toContain('must be at least 16 characters');
    expect(problem).toContain('deliveries are not signed');
    expect(problem).toContain('openssl rand -hex 32');
  });

  it.each([`${SIXTEEN}\n`, ` ${SIXTEEN}`, `${SIXTEEN}\t`, `${SIXTEEN.slice(0, 8)}\u0000${SIXTEEN.slice(8)}`])(
    'refuses %j: a header cannot carry it, every delivery would be refused',
    (secret) => {
      expect(webhookSecretProblem(secret)).toContain('no delivery would ever match it');
    },
  );
});

describe('every receiver refuses a secret webhook register refuses, with the same reason', () => {
  let guard: SessionGuard;
  beforeAll(() => {
    guard = createSessionGuard({ host: 'http://127.0.0.1:1', accessKeyId: 'id', accessKeySecret: 'secret', identity: header('x-user-id') });
  });
  afterAll(() => guard.close());

  const short = 'short-secret';
  const factories: Array<[string, (options: never) => unknown]> = [
    ['createGenAuthWebhookHandler', createGenAuthWebhookHandler],
    ['Express genauthWebhook', genauthWebhook],
    ['Koa genauthWebhook', koaWebhook],
  ];

  function thrown(run: () => unknown): Error {
    try {
      run();
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a throw');
  }

  it.each(factories)('%s: a TypeError naming the rule and why, without the secret', (_name, create) => {
    const error = thrown(() => create({ guard, secret: short } as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`genauth-session-guard: genauthWebhook \`secret\`: the webhook secret ${webhookSecretProblem(short)}.`);
    expect(error.message).not.toContain(short);
    const newline = thrown(() => create({ guard, secret: `${SIXTEEN}\n` } as never));
    expect(newline).toBeInstanceOf(TypeError);
    expect(newline.message).toContain('no delivery would ever match it');
    expect(newline.message).not.toContain(SIXTEEN);
    expect(() => create({ guard, secret: SIXTEEN } as never)).not.toThrow();
  });

  it('webhook register: the same reason', () => {
    const error = thrown(() => parseWebhookRegisterOptions(['--url', 'https://app.example.com/hooks', '--secret', short], {}));
    expect(error.message).toBe(`the webhook secret ${webhookSecretProblem(short)}.`);
    expect(error.message).not.toContain(short);
    expect(() => parseWebhookRegisterOptions(['--url', 'https://app.example.com/hooks', '--secret', SIXTEEN], {
      GENAUTH_ACCESS_KEY_ID: 'id', GENAUTH_ACCESS_KEY_SECRET: 'key-secret',
    })).not.toThrow();
  });
});
