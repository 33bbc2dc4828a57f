import { decodeJwt } from 'jose';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

async function post(fake: FakeGenAuth, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${fake.host}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function getToken(fake: FakeGenAuth): Promise<{ access_token: string; expires_in: number }> {
  const { body } = await post(fake, '/api/v3/get-management-token', {
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
  });
  return body.data;
}

function bearer(fake: FakeGenAuth, token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'x-authing-userpool-id': fake.userPoolId };
}

describe('management token scheme', () => {
  let now = Date.parse('2026-11-26T11:00:00Z');
  let fake: FakeGenAuth;

  beforeEach(async () => {
    now = Date.parse('2026-11-26T11:00:00Z');
    fake = await createFakeGenAuth({ clock: () => now, userPoolId: 'pool-1', tokenLifetimeSec: 600 });
    await fake.login('user-1', 'app-1');
  });
  afterEach(async () => {
    await fake.close();
  });

  it('issues a JWT carrying scoped_userpool_id and accepts it', async () => {
    const { access_token, expires_in } = await getToken(fake);
    expect(expires_in).toBe(600);
    const claims = decodeJwt(access_token);
    expect(claims.scoped_userpool_id).toBe('pool-1');
    expect(claims.exp).toBe(Math.floor(now / 1000) + 600);

    const answer = await post(fake, '/api/v3/check-session-status', { appId: 'app-1', userId: 'user-1' }, bearer(fake, access_token));
    expect(answer).toEqual({ status: 200, body: { statusCode: 200, message: 'success', data: { active: true } } });
    expect(fake.calls).toMatchObject({ token: 1, check: 1, refused: 0 });
  });

  it('refuses wrong credentials on get-management-token with 401/2333, without echoing them', async () => {
    const answer = await post(fake, '/api/v3/get-management-token', {
      accessKeyId: fake.accessKeyId,
      accessKeySecret: 'wrong-secret',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ statusCode: 401, apiCode: 2333 });
    expect(typeof answer.body.requestId).toBe('string');
    expect(JSON.stringify(answer.body)).not.toContain('wrong-secret');
    expect(fake.calls).toMatchObject({ token: 1, refused: 1 });
  });

  it('answers 400 to a token request with missing fields or bad JSON', async () => {
    expect((await post(fake, '/api/v3/get-management-token', { accessKeyId: fake.accessKeyId })).body.statusCode).toBe(400);
    expect((await post(fake, '/api/v3/get-management-token', '{"accessKeyId":')).body.statusCode).toBe(400);
    expect((await post(fake, '/api/v3/get-management-token', '[1,2]')).body.statusCode).toBe(400);
  });

  it('refuses a request with no authorization header', async () => {
    const answer = await post(fake, '/api/v3/check-session-status', { appId: 'app-1', userId: 'user-1' }, { 'x-authing-userpool-id': 'pool-1' });
    expect(answer.body).toMatchObject({ statusCode: 401 });
    expect(answer.body).not.toHaveProperty('data');
    expect(fake.calls.refused).toBe(1);
  });

  it('refuses a missing or wrong user pool header', async () => {
    const { access_token } = await getToken(fake);
    const body = { appId: 'app-1', userId: 'user-1' };
    const wrongPool = await post(fake, '/api/v3/check-session-status', body, {
      authorization: `Bearer ${access_token}`,
      'x-authing-userpool-id': 'pool-2',
    });
    expect(wrongPool.body).toMatchObject({ statusCode: 401 });
    const noPool = await post(fake, '/api/v3/check-session-status', body, { authorization: `Bearer ${access_token}` });
    expect(noPool.body).toMatchObject({ statusCode: 401 });
    expect(fake.calls.refused).toBe(2);
  });

  it('refuses a token it did not issue', async () => {
    const forged = await fake.signToken({ scoped_userpool_id: 'pool-1' });
    const answer = await post(fake, '/api/v3/check-session-status', { appId: 'app-1', userId: 'user-1' }, bearer(fake, forged));
    expect(answer.body).toMatchObject({ statusCode: 401 });
  });

  it('refuses a token past its expiry on the injected clock', async () => {
    const { access_token } = await getToken(fake);
    const body = { appId: 'app-1', userId: 'user-1' };
    now += 599_000;
    expect((await post(fake, '/api/v3/check-session-status', body, bearer(fake, access_token))).body.statusCode).toBe(200);
    now += 1_000;
    expect((await post(fake, '/api/v3/check-session-status', body, bearer(fake, access_token))).body).toMatchObject({
      statusCode: 401,
    });
    expect(fake.calls.refused).toBe(1);
  });

  it('refuses every issued token after expireManagementTokens(), and accepts a new one', async () => {
    const first = (await getToken(fake)).access_token;
    const body = { appId: 'app-1', userId: 'user-1' };
    fake.expireManagementTokens();
    expect((await post(fake, '/api/v3/check-session-status', body, bearer(fake, first))).body.statusCode).toBe(401);
    const second = (await getToken(fake)).access_token;
    expect((await post(fake, '/api/v3/check-session-status', body, bearer(fake, second))).body.statusCode).toBe(200);
  });

  it('answers 400 to a bad check body and 404/2004 for an unknown user', async () => {
    const headers = bearer(fake, (await getToken(fake)).access_token);
    expect((await post(fake, '/api/v3/check-session-status', '{oops', headers)).body).toMatchObject({ statusCode: 400 });
    expect((await post(fake, '/api/v3/check-session-status', { appId: 'app-1' }, headers)).body).toMatchObject({ statusCode: 400 });
    expect((await post(fake, '/api/v3/check-session-status', { appId: 'app-1', userId: 42 }, headers)).body).toMatchObject({
      statusCode: 400,
    });
    expect((await post(fake, '/api/v3/check-session-status', { appId: 'app-1', userId: 'ghost' }, headers)).body).toMatchObject({
      statusCode: 404,
      apiCode: 2004,
    });
  });
});
