import { createSessionGuard, header, type SessionGuard } from '../../src/index';
import { DEFAULT_WEBHOOK_EVENTS } from '../../src/cli/webhook-options';
import { receivers, PATH, type RunningReceiver } from '../webhook/support';
import { APP, doctor, useFake } from './support';

const WEBHOOK_SECRET = 'whsec-7d1e0b5a-cli-never-printed';

interface Registered {
  ok: boolean;
  webhookId?: string;
  error?: string;
  webhook: { name: string; url: string; events: string[]; contentType: string; enabled: boolean };
}

describe('genauth-session-guard webhook register', () => {
  const current = useFake();
  let receiver: RunningReceiver | undefined;
  let guard: SessionGuard | undefined;

  afterEach(async () => {
    await receiver?.close();
    await guard?.close();
    receiver = undefined;
    guard = undefined;
  });

  /** A receiver (Express 5, genauthWebhook with WEBHOOK_SECRET) in front of a guard with a 5-minute TTL. */
  async function startReceiver(): Promise<{ url: string; guard: SessionGuard }> {
    const { fake } = current();
    guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: header('x-user-id'),
      cache: { ttlMs: 5 * 60_000 },
      retries: 0,
    });
    receiver = await receivers[0]!.start({ guard, secret: WEBHOOK_SECRET });
    return { url: `${receiver.url}${PATH}`, guard };
  }

  async function status(userId: string): Promise<number> {
    try {
      await guard!.authenticate({ headers: { 'x-user-id': userId } }, APP);
      return 200;
    } catch (error) {
      return (error as { status: number }).status;
    }
  }

  it.each(['token', 'signature'] as const)('%s scheme: registers, prints the id, and the fake then delivers a kick the receiver accepts', async (auth) => {
    const { fake, env } = current();
    const { url } = await startReceiver();
    await fake.login('alice', APP);
    expect(await status('alice')).toBe(200); // cached for 5 minutes

    const run = await doctor(['webhook', 'register', '--url', url, '--secret', WEBHOOK_SECRET, '--auth', auth], env,
      [WEBHOOK_SECRET, fake.accessKeySecret]);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
    expect(run.out).toMatch(/^✓ webhook registered: webhook-1\n/);
    expect(run.out).toContain(`url ${url} (application/json)`);
    expect(fake.calls.webhook).toBe(1);

    fake.kick('alice');
    expect(await fake.webhookDeliveries()).toEqual([{ webhookId: 'webhook-1', url, eventName: 'kick', status: 200 }]);
    expect(await status('alice')).toBe(401); // refused at once, well inside the 5-minute TTL
  });

  it('default events: the ones the receiver acts on; --json prints the id and the webhook, never the secret', async () => {
    const { fake, env } = current();
    const { url } = await startReceiver();
    const run = await doctor(['webhook', 'register', '--url', url, '--json'], { ...env, GENAUTH_WEBHOOK_SECRET: WEBHOOK_SECRET },
      [WEBHOOK_SECRET, fake.accessKeySecret]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out) as Registered;
    expect(report).toEqual({
      ok: true,
      webhookId: 'webhook-1',
      webhook: { name: 'genauth-session-guard', url, events: [...DEFAULT_WEBHOOK_EVENTS], contentType: 'application/json', enabled: true },
    });
    expect(DEFAULT_WEBHOOK_EVENTS).toEqual(expect.arrayContaining(['kick', 'user:blocked', 'user:archived', 'user:deleted',
      'user:password-changed', 'user:updated', 'login', 'user:unblocked', 'user:unarchived', 'permission:revoke', 'role:unassigned']));

    fake.emitWebhook('test', { description: 'not registered' });
    fake.emitWebhook('register', { user: { id: 'bob' } });
    fake.blockUser('bob');
    expect((await fake.webhookDeliveries()).map(({ eventName, status }) => [eventName, status])).toEqual([['user:blocked', 200]]);
  });

  it('--events, --content-type form, --name and --disabled are sent as given', async () => {
    const { fake, env } = current();
    const { url } = await startReceiver();
    const run = await doctor(['webhook', 'register', '--url', url, '--secret', WEBHOOK_SECRET, '--events', 'kick, user:deleted,kick',
      '--content-type', 'form', '--name', 'my guard', '--json'], env, [WEBHOOK_SECRET]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.out) as Registered).webhook).toEqual({
      name: 'my guard', url, events: ['kick', 'user:deleted'], contentType: 'application/x-www-form-urlencoded', enabled: true,
    });
    await fake.login('alice', APP);
    expect(await status('alice')).toBe(200);
    fake.blockUser('carol'); // not registered: no delivery
    fake.deleteUser('alice');
    expect((await fake.webhookDeliveries()).map(({ eventName, status }) => [eventName, status])).toEqual([['user:deleted', 200]]);
    expect(await status('alice')).toBe(401);

    const disabled = await doctor(['webhook', 'register', '--url', url, '--secret', WEBHOOK_SECRET, '--disabled'], env, [WEBHOOK_SECRET]);
    expect(disabled.code).toBe(0);
    expect(disabled.out).toContain('(application/json, disabled)');
  });

  it.each(['token', 'signature'] as const)('%s scheme: a wrong access key secret is refused, exit 1, nothing registered, no secret printed', async (auth) => {
    const { fake, env } = current();
    const { url } = await startReceiver();
    const wrong = `${fake.accessKeySecret}-wrong`;
    for (const json of [false, true]) {
      const run = await doctor(['webhook', 'register', '--url', url, '--secret', WEBHOOK_SECRET, '--auth', auth, ...(json ? ['--json'] : [])],
        { ...env, GENAUTH_ACCESS_KEY_SECRET: wrong }, [WEBHOOK_SECRET, wrong, fake.accessKeySecret]);
      expect(run.code).toBe(1);
      const reason = json ? (JSON.parse(run.out) as Registered).error : run.out;
      expect(reason).toContain('GenAuth refused the management credentials');
      if (!json) expect(run.out).toMatch(/^✗ webhook not registered\n/);
    }
    expect(fake.calls.refused).toBeGreaterThan(0);
    fake.kick('alice');
    expect(await fake.webhookDeliveries()).toEqual([]);
  });

  it.each([
    ['not JSON', { kind: 'malformed' as const }],
    ['no data.webhookId', { kind: 'missing-active' as const }],
  ])('a malformed answer (%s): exit 1, "not understood"', async (_label, fault) => {
    const { fake, env } = current();
    fake.fault(fault, { endpoint: 'webhook' });
    const run = await doctor(['webhook', 'register', '--url', 'http://127.0.0.1:9/hooks', '--secret', WEBHOOK_SECRET], env, [WEBHOOK_SECRET, fake.accessKeySecret]);
    expect(run.code).toBe(1);
    expect(run.out).toContain("GenAuth's answer was not understood (create-webhook");
  });

  it('a GenAuth that does not answer: exit 1 after --timeout, and the create is not retried (it could register twice)', async () => {
    const { fake, env } = current();
    fake.fault({ kind: 'hang' }, { endpoint: 'webhook' });
    const run = await doctor(['webhook', 'register', '--url', 'http://127.0.0.1:9/hooks', '--secret', WEBHOOK_SECRET, '--timeout', '200'], env, [WEBHOOK_SECRET]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('GenAuth did not answer in time (create-webhook');
    expect(fake.calls.webhook).toBe(1);
  });

  it('GenAuth refusing the fields (statusCode 400): exit 1, its code shown', async () => {
    const { fake, env } = current();
    fake.fault({ kind: 'body-status', statusCode: 400, apiCode: 2901 }, { endpoint: 'webhook' });
    const run = await doctor(['webhook', 'register', '--url', 'http://127.0.0.1:9/hooks', '--secret', WEBHOOK_SECRET], env, [WEBHOOK_SECRET]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('GenAuth rejected the call (create-webhook');
  });

  it.each([
    ['no --url', ['--secret', WEBHOOK_SECRET], '--url is required'],
    ['not a URL', ['--url', 'hooks', '--secret', WEBHOOK_SECRET], '--url is not a valid URL'],
    ['plain http to a remote host', ['--url', 'http://app.example.com/hooks', '--secret', WEBHOOK_SECRET], '--url must use https'],
    ['credentials in the URL', ['--url', 'https://user:pw@app.example.com/hooks', '--secret', WEBHOOK_SECRET], 'must not carry credentials'],
    ['no secret', ['--url', 'https://app.example.com/hooks'], '--secret (or GENAUTH_WEBHOOK_SECRET) is required'],
    ['a short secret', ['--url', 'https://app.example.com/hooks', '--secret', 'short-secret'], 'at least 16 characters'],
    ['bad events', ['--url', 'https://app.example.com/hooks', '--secret', WEBHOOK_SECRET, '--events', 'kick,not an event'], '--events must be'],
    ['empty events', ['--url', 'https://app.example.com/hooks', '--secret', WEBHOOK_SECRET, '--events', ' , '], '--events must be'],
    ['bad content type', ['--url', 'https://app.example.com/hooks', '--secret', WEBHOOK_SECRET, '--content-type', 'xml'], "--content-type must be 'json' or 'form'"],
    ['bad auth', ['--url', 'https://app.example.com/hooks', '--secret', WEBHOOK_SECRET, '--auth', 'basic'], "--auth must be 'token' or 'signature'"],
    ['bad timeout', ['--url', 'https://app.example.com/hooks', '--secret', WEBHOOK_SECRET, '--timeout', '0'], '--timeout must be'],
    ['an unknown flag', ['--url', 'https://app.example.com/hooks', '--frobnicate'], "Unknown option '--frobnicate'"],
    ['a misspelt flag, named with the flag meant', ['--url', 'https://app.example.com/hooks', `--secrte=${WEBHOOK_SECRET}`], "Unknown option '--secrte'. Did you mean '--secret'?"],
    ['a singular for a plural flag', ['--url', 'https://app.example.com/hooks', '--secret', WEBHOOK_SECRET, '--event', 'kick'], "Unknown option '--event'. Did you mean '--events'?"],
    ['a positional (a pasted secret?)', [WEBHOOK_SECRET], 'takes no positional arguments'],
  ])('usage mistake, exit 2, nothing sent: %s', async (_label, args, message) => {
    const { fake, env } = current();
    const run = await doctor(['webhook', 'register', ...args], env, [WEBHOOK_SECRET, fake.accessKeySecret]);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toContain(message);
    expect(run.err).toContain('Usage: genauth-session-guard webhook register');
    expect(fake.calls.webhook + fake.calls.token).toBe(0);
  });

  it('usage: no access key, a bad host, a missing or unknown subcommand (not echoed); help exits 0', async () => {
    const { fake, env } = current();
    const base = ['--url', 'https://app.example.com/hooks', '--secret', WEBHOOK_SECRET];
    const noKey = await doctor(['webhook', 'register', ...base], { GENAUTH_HOST: fake.host, GENAUTH_ACCESS_KEY_ID: fake.accessKeyId }, [WEBHOOK_SECRET]);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('the access key is required');
    const badHost = await doctor(['webhook', 'register', ...base, '--host', 'http://genauth.example.com'], env, [WEBHOOK_SECRET, fake.accessKeySecret]);
    expect(badHost.code).toBe(2);
    expect(badHost.err).toContain('`host` must use https');
    const unknown = await doctor(['webhook', WEBHOOK_SECRET], env, [WEBHOOK_SECRET]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown subcommand');
    expect((await doctor(['webhook'], env)).code).toBe(2);
    for (const argv of [['webhook', '--help'], ['webhook', 'register', '--help'], ['webhook', 'register', '-h']]) {
      const help = await doctor(argv, env);
      expect(help.code).toBe(0);
      expect(help.out).toContain('Usage: genauth-session-guard webhook register');
    }
    expect((await doctor(['--help'], {})).out).toContain('webhook register');
    expect(fake.calls.webhook + fake.calls.token).toBe(0);
  });
});
