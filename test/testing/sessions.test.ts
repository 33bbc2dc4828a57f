import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

describe('sessions, kick-users and counters', () => {
  let fake: FakeGenAuth;
  let headers: Record<string, string>;

  beforeEach(async () => {
    fake = await createFakeGenAuth();
    const response = await fetch(`${fake.host}/api/v3/get-management-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret }),
    });
    const { data } = (await response.json()) as { data: { access_token: string } };
    headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${data.access_token}`,
      'x-authing-userpool-id': fake.userPoolId,
    };
  });
  afterEach(async () => {
    await fake.close();
  });

  async function post(path: string, body: unknown, extra: Record<string, string> = {}) {
    const response = await fetch(`${fake.host}${path}`, {
      method: 'POST',
      headers: { ...headers, ...extra },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, any>;
  }
  const active = async (userId: string, appId: string) =>
    (await post('/api/v3/check-session-status', { appId, userId })).data?.active;

  it('exposes its defaults', () => {
    expect(fake.accessKeyId).toBe('fake-access-key-id');
    expect(fake.accessKeySecret).toBe('fake-access-key-secret');
    expect(fake.userPoolId).toBe('fake-user-pool');
    expect(fake.host).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.issuer).toBe(`${fake.host}/oidc`);
    expect(fake.jwksUri).toBe(`${fake.host}/oidc/.well-known/jwks.json`);
  });

  it('startSession starts a live session without a token, seen over the wire, ended by kick', async () => {
    const signed = fake.calls.check;
    fake.startSession('user-s', 'app-1');
    expect(fake.isActive('user-s', 'app-1')).toBe(true);
    expect(fake.isActive('user-s', 'app-2')).toBe(false);
    expect(await active('user-s', 'app-1')).toBe(true);
    expect(await active('user-s', 'app-2')).toBe(false);
    expect(fake.calls.check).toBe(signed + 2);
    fake.kick('user-s');
    expect(await active('user-s', 'app-1')).toBe(false);
  });

  it('tracks login, logout, kick and addUser as ground truth and over the wire', async () => {
    fake.addUser('user-0');
    expect(fake.isActive('user-0', 'app-1')).toBe(false);
    expect(await active('user-0', 'app-1')).toBe(false);

    await fake.login('user-1', 'app-1');
    await fake.login('user-1', 'app-2');
    await fake.login('user-1', 'app-3');
    expect(await active('user-1', 'app-1')).toBe(true);
    expect(await active('user-1', 'app-9')).toBe(false);

    fake.logout('user-1', 'app-1');
    expect(fake.isActive('user-1', 'app-1')).toBe(false);
    expect(await active('user-1', 'app-1')).toBe(false);
    expect(await active('user-1', 'app-2')).toBe(true);

    fake.kick('user-1', ['app-2']);
    expect(await active('user-1', 'app-2')).toBe(false);
    expect(await active('user-1', 'app-3')).toBe(true);

    fake.kick('user-1');
    expect(await active('user-1', 'app-3')).toBe(false);
    // A kicked user is still known: active false, not 404.
    expect((await post('/api/v3/check-session-status', { appId: 'app-3', userId: 'user-1' })).statusCode).toBe(200);
  });

  it('POST /api/v3/kick-users ends sessions', async () => {
    await fake.login('user-1', 'app-1');
    await fake.login('user-1', 'app-2');
    const answer = await post('/api/v3/kick-users', { appIds: ['app-1'], userId: 'user-1', options: { userIdType: 'user_id' } });
    expect(answer).toEqual({ statusCode: 200, message: 'success', data: { success: true } });
    expect(fake.isActive('user-1', 'app-1')).toBe(false);
    expect(fake.isActive('user-1', 'app-2')).toBe(true);
    expect(await active('user-1', 'app-1')).toBe(false);
    expect(fake.calls.kick).toBe(1);
  });

  it('kick-users validates its body, knows its users and checks auth', async () => {
    await fake.login('user-1', 'app-1');
    expect(await post('/api/v3/kick-users', { appIds: ['app-1'] })).toMatchObject({ statusCode: 400 });
    expect(await post('/api/v3/kick-users', { appIds: 'app-1', userId: 'user-1' })).toMatchObject({ statusCode: 400 });
    expect(
      await post('/api/v3/kick-users', { appIds: ['app-1'], userId: 'user-1', options: { userIdType: 'email' } }),
    ).toMatchObject({ statusCode: 400 });
    expect(await post('/api/v3/kick-users', { appIds: ['app-1'], userId: 'ghost' })).toMatchObject({
      statusCode: 404,
      apiCode: 2004,
    });
    expect(
      await post('/api/v3/kick-users', { appIds: ['app-1'], userId: 'user-1' }, { authorization: 'Bearer forged' }),
    ).toMatchObject({ statusCode: 401 });
    expect(fake.isActive('user-1', 'app-1')).toBe(true);
  });

  it('counts calls per endpoint and refusals, and resets them', async () => {
    await fake.login('user-1', 'app-1');
    await active('user-1', 'app-1');
    await post('/api/v3/check-session-status', { appId: 'app-1', userId: 'user-1' }, { authorization: 'Bearer x' });
    await post('/api/v3/kick-users', { appIds: ['app-1'], userId: 'user-1' });
    await (await fetch(fake.jwksUri)).text();
    await (await fetch(`${fake.issuer}/.well-known/openid-configuration`)).text();
    expect(fake.calls).toEqual({ token: 1, check: 2, kick: 1, webhook: 0, roles: 0, permissions: 0, jwks: 1, discovery: 1, refused: 1 });
    const live = fake.calls;
    fake.resetCalls();
    expect(live).toEqual({ token: 0, check: 0, kick: 0, webhook: 0, roles: 0, permissions: 0, jwks: 0, discovery: 0, refused: 0 });
    await active('user-1', 'app-1');
    expect(live.check).toBe(1);
  });

  it('answers 404 to unknown paths and 405 to wrong methods, without counting them', async () => {
    const unknown = await fetch(`${fake.host}/api/v3/nope`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    await unknown.text();
    const wrongMethod = await fetch(`${fake.host}/api/v3/check-session-status`);
    expect(wrongMethod.status).toBe(405);
    await wrongMethod.text();
    expect(fake.calls.check).toBe(0);
  });

  it('rejects bad options without echoing a secret', async () => {
    await expect(createFakeGenAuth({ tokenLifetimeSec: 0 })).rejects.toThrow(TypeError);
    await expect(createFakeGenAuth({ accessKeySecret: '' })).rejects.toThrow(TypeError);
    await expect(createFakeGenAuth({ accessKeyId: '', accessKeySecret: 'super-secret-value' })).rejects.not.toThrow(
      /super-secret-value/,
    );
  });
});
