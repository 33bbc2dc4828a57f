import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import request from 'supertest';
import { channels, type SessionGuard, type WebhookEvent } from '../../src/index';
import { APP, useHarness, type Harness } from '../core/fixtures';
import { PATH, receivers, SECRET, watchPackageWarnings, type RunningReceiver } from './support';

const json = (eventName: string, data: unknown = {}) => JSON.stringify({ eventName, data });

describe.each(receivers)('genauthWebhook through $name', (receiver) => {
  const h = useHarness();
  const warnings = watchPackageWarnings();
  let guard: SessionGuard;
  let app: RunningReceiver;
  let seen: WebhookEvent[];
  const listener = (message: unknown) => seen.push(message as WebhookEvent);

  beforeEach(async () => {
    guard = h().guard({ cache: { ttlMs: 5 * 60_000, inactiveTtlMs: 5 * 60_000 } });
    app = await receiver.start({ guard, secret: SECRET });
    h().defer(() => app.close());
    seen = [];
    subscribe(channels.webhook, listener);
    h().defer(() => unsubscribe(channels.webhook, listener));
  });

  /** Caches an answer for each (user, app). */
  async function warm(harness: Harness, pairs: Array<[string, string]>) {
    for (const [userId, appId] of pairs) {
      await harness.fake.login(userId, appId);
      await harness.ask(guard, userId, appId);
    }
  }

  /** Which of the (user, app) answers are gone from the cache: asking again calls GenAuth. */
  async function dropped(harness: Harness, pairs: Array<[string, string]>): Promise<string[]> {
    const gone: string[] = [];
    for (const [userId, appId] of pairs) {
      const before = harness.fake.calls.check;
      await harness.ask(guard, userId, appId).catch(() => undefined);
      if (harness.fake.calls.check > before) gone.push(`${userId}@${appId}`);
    }
    return gone;
  }

  const post = (body: string, headers: Record<string, string> = { 'x-authing-webhook-secret': SECRET }, type = 'application/json') =>
    request(app.url).post(PATH).set({ 'content-type': type, ...headers }).send(body);

  describe('authenticity', () => {
    it.each(['x-authing-webhook-secret', 'x-authing-token', 'x-genauth-token', 'X-GenAuth-Token'])('accepts the secret in %s', async (name) => {
      await warm(h(), [['alice', APP]]);
      const answer = await post(json('kick', { users: ['alice'] }), { [name]: SECRET });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ok: true, eventName: 'kick', outcome: 'invalidated', propagated: true });
      expect(await dropped(h(), [['alice', APP]])).toEqual([`alice@${APP}`]);
    });

    it.each([
      ['both carry it (the delivery log)', { 'x-authing-token': SECRET, 'x-authing-webhook-secret': SECRET }],
      ['x-authing-webhook-secret carries it, X-Authing-Token something else', { 'x-authing-webhook-secret': SECRET, 'x-authing-token': 'another-token' }],
      ['X-Authing-Token carries it, x-authing-webhook-secret something else', { 'x-authing-token': SECRET, 'x-authing-webhook-secret': '' }],
      ['x-genauth-token carries it, the other two something else', { 'x-genauth-token': SECRET, 'x-authing-token': 'a', 'x-authing-webhook-secret': 'b' }],
    ])('accepts a delivery when at least one secret header carries the secret: %s', async (_case, headers) => {
      await warm(h(), [['alice', APP]]);
      const answer = await post(json('kick', { users: ['alice'] }), headers);
      expect(answer.status).toBe(200);
      expect(await dropped(h(), [['alice', APP]])).toEqual([`alice@${APP}`]);
      expect(guard.stats()).toMatchObject({ webhookEvents: 1, webhookRejected: 0 });
      expect(warnings()).toEqual([]);
    });

    it.each([
      ['missing', {}, 'secret-missing'],
      ['wrong', { 'x-authing-webhook-secret': `${SECRET}x` }, 'secret-wrong'],
      ['a prefix', { 'x-authing-token': SECRET.slice(0, -1) }, 'secret-wrong'],
      ['empty', { 'x-genauth-token': '' }, 'secret-wrong'],
      ['wrong in every header', { 'x-authing-webhook-secret': 'nope', 'x-authing-token': 'nope' }, 'secret-wrong'],
      ['repeated (sent twice)', { 'x-authing-token': [SECRET, SECRET] }, 'secret-repeated'],
      // Node joins the two copies into "secret, secret" in req.headers; only rawHeaders show them.
      ['repeated in one header, the other header right', { 'x-authing-webhook-secret': SECRET, 'x-authing-token': [SECRET, SECRET] }, 'secret-repeated'],
      ['under another name', { authorization: `Bearer ${SECRET}` }, 'secret-missing'],
    ])('refuses a delivery with the secret %s: 401 and nothing changes', async (_case, headers, cause) => {
      await warm(h(), [['alice', APP]]);
      const answer = await post(json('kick', { users: ['alice'] }), headers as unknown as Record<string, string>);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ ok: false, error: 'unauthenticated', message: 'The webhook secret is missing or wrong.' });
      expect(JSON.stringify(answer.body)).not.toContain(SECRET);
      expect(await dropped(h(), [['alice', APP]])).toEqual([]);
      expect(guard.stats()).toMatchObject({ webhookEvents: 0, webhookRejected: 1 });
      expect(seen).toEqual([{ users: [], outcome: 'rejected', reason: 'unauthenticated', cause }]);
    });

    it('a refused delivery is loud: one process warning per cause, on the first delivery, never the secret nor the body', async () => {
      const marker = 'body-marker-4f1d';
      const wrong = 'a-wrong-secret-9e0c77';
      const deliveries: Array<[string, Record<string, string | string[]>, number]> = [
        [json('kick', { users: [marker] }), { 'x-authing-token': wrong }, 401],
        [json('kick', { users: [marker] }), { 'x-authing-token': wrong }, 401],
        [json('kick', { users: [marker] }), {}, 401],
        [json('kick', { users: [marker] }), { 'x-authing-webhook-secret': [SECRET, SECRET] }, 401],
        [`{"eventName": "${marker}", `, { 'x-authing-token': SECRET }, 400],
        [JSON.stringify({ data: { users: [marker] } }), { 'x-authing-token': SECRET }, 400],
        [json('kick', { users: [marker], padding: 'x'.repeat(1024 * 1024) }), { 'x-authing-token': SECRET }, 413],
        [json('kick', { users: [marker] }), {}, 401],
      ];
      for (const [body, headers, status] of deliveries) {
        expect((await post(body, headers as unknown as Record<string, string>)).status).toBe(status);
      }
      expect(guard.stats().webhookRejected).toBe(deliveries.length);
      const seenWarnings = warnings();
      expect(seenWarnings.map(({ code }) => code)).toEqual(Array(5).fill('GENAUTH_SESSION_GUARD_WEBHOOK_REFUSED'));
      const messages = seenWarnings.map(({ message }) => message);
      expect(messages[0]).toContain('(401): none of its secret headers (x-authing-webhook-secret, x-authing-token, x-genauth-token) equals');
      expect(messages[1]).toContain('(401): it carried none of the secret headers');
      expect(messages[2]).toContain('(401): a secret header (x-authing-webhook-secret, x-authing-token, x-genauth-token) was sent more than once');
      expect(messages[3]).toContain('(400): its body is not a JSON or form-encoded object with an eventName');
      expect(messages[4]).toContain('(413): its body is larger than `maxBodyBytes`');
      for (const message of messages) {
        expect(message).toContain('revocation falls back to cache.ttlMs');
        for (const secret of [SECRET, wrong, marker]) expect(message).not.toContain(secret);
      }
      // A new guard warns anew: the warning is once per cause and guard.
      const other = h().guard();
      const running = await receiverFor(other);
      await request(running.url).post(PATH).set('x-authing-token', wrong).send(json('test'));
      expect(warnings()).toHaveLength(6);
    });
  });

  describe('body', () => {
    it('reads a form-encoded delivery whose data field holds JSON', async () => {
      await warm(h(), [['alice', APP], ['bob', APP]]);
      const body = new URLSearchParams({ eventName: 'kick', data: JSON.stringify({ users: [{ userId: 'alice' }] }) }).toString();
      const answer = await post(body, undefined, 'application/x-www-form-urlencoded');
      expect(answer.status).toBe(200);
      expect(await dropped(h(), [['alice', APP], ['bob', APP]])).toEqual([`alice@${APP}`]);
    });

    it('reads a form-encoded delivery with flat fields', async () => {
      await warm(h(), [['alice', APP]]);
      const answer = await post('eventName=user%3Apassword-changed&userId=alice', undefined, 'application/x-www-form-urlencoded');
      expect(answer.body).toMatchObject({ ok: true, outcome: 'invalidated' });
      expect(await dropped(h(), [['alice', APP]])).toEqual([`alice@${APP}`]);
    });

    it.each([
      ['not JSON', '{"eventName": "kick", '],
      ['a JSON array', '[{"eventName":"kick"}]'],
      ['a JSON string', '"kick"'],
      ['without eventName', '{"data":{"users":["alice"]}}'],
      ['with a non-string eventName', '{"eventName":7,"data":{}}'],
      ['empty', ''],
    ])('answers 400 to a body that is %s, nothing changes', async (_case, body) => {
      await warm(h(), [['alice', APP]]);
      const answer = await post(body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ ok: false, error: 'malformed' });
      expect(await dropped(h(), [['alice', APP]])).toEqual([]);
      expect(guard.stats().webhookRejected).toBe(1);
    });

    it('answers 400 to a form whose data field is not JSON', async () => {
      const answer = await post('eventName=kick&data=%7Bnope', undefined, 'application/x-www-form-urlencoded');
      expect(answer.status).toBe(400);
    });

    it('answers 413 to a body over 1 MiB, nothing changes', async () => {
      await warm(h(), [['alice', APP]]);
      const big = json('kick', { users: ['alice'], padding: 'x'.repeat(1024 * 1024) });
      const answer = await post(big);
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ ok: false, error: 'too-large' });
      expect(await dropped(h(), [['alice', APP]])).toEqual([]);
    });

    it('refuses an unauthenticated body without reading it as an event, even when huge', async () => {
      const answer = await post(json('kick', { padding: 'x'.repeat(2 * 1024 * 1024) }), {});
      expect(answer.status).toBe(401);
    });
  });

  describe('events', () => {
    const everyone: Array<[string, string]> = [['alice', 'app-a'], ['alice', 'app-b'], ['bob', 'app-a'], ['carol', 'app-b']];

    it('kick with data.application drops the users in that application only', async () => {
      await warm(h(), everyone);
      const answer = await post(json('kick', { users: [{ id: 'alice' }, 'bob'], application: { appId: 'app-a' } }));
      expect(answer.body).toEqual({ ok: true, eventName: 'kick', outcome: 'invalidated', propagated: true });
      expect(await dropped(h(), everyone)).toEqual(['alice@app-a', 'bob@app-a']);
      expect(seen).toEqual([{ eventName: 'kick', users: ['alice', 'bob'], outcome: 'invalidated', appId: 'app-a' }]);
    });

    it('kick without an application drops the users in every application', async () => {
      await warm(h(), everyone);
      await post(json('kick', { users: [{ _id: 'alice' }], application: null }));
      expect(await dropped(h(), everyone)).toEqual(['alice@app-a', 'alice@app-b']);
    });

    it.each(['user:blocked', 'user:archived', 'user:deleted', 'user:password-changed', 'user:updated'])(
      '%s drops the user in every application',
      async (eventName) => {
        await warm(h(), everyone);
        const data = eventName === 'user:updated' ? { user: { id: 'alice' }, updates: { email: 'a@b.c' } }
          : eventName === 'user:password-changed' ? { userId: 'alice' }
          : { users: [{ userId: 'alice' }] };
        const answer = await post(json(eventName, data));
        expect(answer.body).toMatchObject({ ok: true, outcome: 'invalidated' });
        expect(await dropped(h(), everyone)).toEqual(['alice@app-a', 'alice@app-b']);
      },
    );

    it.each([
      ['kick', {}],
      ['user:blocked', { users: { name: 'an object without an id' } }],
      ['user:deleted', { users: [{ name: 'no id' }] }],
      ['kick', { users: [42] }],
    ])('%s whose users cannot be made out (%j) drops every cached answer, and says so', async (eventName, data) => {
      await warm(h(), everyone);
      const messages: string[] = [];
      const logged = h().guard({ logger: { debug: (message: string) => messages.push(message) } });
      const other = await receiverFor(logged);
      await h().fake.login('dave', APP);
      await h().ask(logged, 'dave');
      const answer = await request(other.url).post(PATH).set('x-authing-token', SECRET).send({ eventName, data });
      expect(answer.body).toMatchObject({ ok: true, outcome: 'invalidated-all' });
      expect(logged.stats().size).toBe(0);
      expect(messages.some((message) => message.includes('every cached answer was dropped'))).toBe(true);
      expect(seen).toContainEqual({ eventName, users: [], outcome: 'invalidated-all' });
    });

    it.each(['login', 'user:unblocked', 'user:unarchived'])('%s drops a cached inactive answer so that the user gets in', async (eventName) => {
      await warm(h(), [['alice', APP]]);
      h().fake.kick('alice');
      guard.invalidate('alice');
      await expect(h().ask(guard, 'alice')).rejects.toMatchObject({ code: 'session_inactive' });
      await h().fake.login('alice', APP);
      // Still the cached inactive answer (inactiveTtlMs is 5 minutes here).
      await expect(h().ask(guard, 'alice')).rejects.toMatchObject({ code: 'session_inactive' });
      const answer = await post(json(eventName, eventName === 'login' ? { id: 'alice' } : { users: ['alice'] }));
      expect(answer.body).toMatchObject({ ok: true, outcome: 'invalidated' });
      await expect(h().ask(guard, 'alice')).resolves.toMatchObject({ userId: 'alice' });
    });

    it.each([
      ['permission:revoke', { policyCodes: ['read'], targetType: 'USER', targetIdentifiers: ['alice', 'bob'] }, ['alice', 'bob']],
      ['permission:add', { policyCodes: ['read'], targetType: 'ROLE', targetIdentifiers: ['admin'] }, ['alice', 'bob', 'carol']],
      ['role:unassigned', { users: ['alice'] }, ['alice']],
      ['role:deleted', { code: 'admin' }, ['alice', 'bob', 'carol']],
    ])('%s drops the authorization answers of its users (or of everyone), and no session answer', async (eventName, data, expected) => {
      await warm(h(), everyone);
      const users = ['alice', 'bob', 'carol'];
      for (const userId of users) {
        h().fake.assignRole(userId, 'admin');
        await expect(guard.checkRoles(userId, ['admin'])).resolves.toBe(true);
      }
      const answer = await post(json(eventName, data));
      expect(answer.body).toMatchObject({ ok: true, outcome: 'authorization', propagated: true });
      const reasked: string[] = [];
      for (const userId of users) {
        const before = h().fake.calls.roles;
        await guard.checkRoles(userId, ['admin']);
        if (h().fake.calls.roles > before) reasked.push(userId);
      }
      expect(reasked).toEqual(expected);
      expect(await dropped(h(), everyone)).toEqual([]);
    });

    it('role and permission events drop authorization answers only: no cached session answer is dropped', async () => {
      await warm(h(), everyone);
      const answer = await post(json('role:unassigned', { users: ['alice'] }));
      expect(answer.body).toMatchObject({ ok: true, outcome: 'authorization' });
      expect(await dropped(h(), everyone)).toEqual([]);
    });

    it.each([['test', { description: 'A test from GenAuth Webhook' }], ['register', { id: 'x' }], ['some:future-event', {}]])(
      '%s: 200, nothing changes, counted',
      async (eventName, data) => {
        await warm(h(), everyone);
        const answer = await post(json(eventName, data));
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ ok: true, outcome: 'ignored' });
        expect(await dropped(h(), everyone)).toEqual([]);
        expect(guard.stats()).toMatchObject({ webhookEvents: 1, webhookRejected: 0 });
      },
    );
  });

  async function receiverFor(other: SessionGuard): Promise<RunningReceiver> {
    const running = await receiver.start({ guard: other, secret: SECRET });
    h().defer(() => running.close());
    return running;
  }

  if (receiver.name.startsWith('Express')) {
    it('works after express.json() and express.urlencoded() have parsed the body', async () => {
      const parsed = await receiver.start({ guard, secret: SECRET }, 'json+urlencoded');
      h().defer(() => parsed.close());
      await warm(h(), [['alice', APP], ['bob', APP]]);
      const first = await request(parsed.url).post(PATH).set('x-authing-token', SECRET).send({ eventName: 'kick', data: { users: ['alice'] } });
      expect(first.body).toMatchObject({ ok: true, outcome: 'invalidated' });
      const form = new URLSearchParams({ eventName: 'user:blocked', data: JSON.stringify({ users: ['bob'] }) }).toString();
      const second = await request(parsed.url).post(PATH).set('x-authing-token', SECRET).type('form').send(form);
      expect(second.body).toMatchObject({ ok: true, outcome: 'invalidated' });
      expect(await dropped(h(), [['alice', APP], ['bob', APP]])).toEqual([`alice@${APP}`, `bob@${APP}`]);
      const malformed = await request(parsed.url).post(PATH).set('x-authing-token', SECRET).send({ data: {} });
      expect(malformed.status).toBe(400);
    });
  }
});

describe('genauthWebhook construction', () => {
  const h = useHarness();
  it.each([
    ['no options', undefined],
    ['no guard', { secret: SECRET }],
    ['no secret', { guard: 'g' }],
    ['an empty secret', { guard: 'g', secret: '' }],
    ['a secret of 15 characters', { guard: 'g', secret: SECRET.slice(0, 15) }],
    ['a secret with a trailing newline', { guard: 'g', secret: `${SECRET}\n` }],
    ['a bad maxBodyBytes', { guard: 'g', secret: SECRET, maxBodyBytes: -1 }],
  ])('throws a TypeError with %s', (_case, options) => {
    const guard = h().guard();
    const resolved = options && { ...options, ...('guard' in options ? { guard } : {}) };
    for (const receiver of receivers) {
      expect(() => receiver.start(resolved as never)).toThrow(TypeError);
    }
  });
});
