import { computeSignature, signRequest, stringToSign } from '../../src/client/request-signature';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

const PATH = '/api/v3/check-session-status';
const BASE = { 'x-authing-lang': 'en-US', 'x-authing-sdk-version': 'test:1.0.0' };

describe('request signature scheme', () => {
  let now = Date.parse('2026-11-26T11:00:00Z');
  let fake: FakeGenAuth;

  beforeEach(async () => {
    now = Date.parse('2026-11-26T11:00:00Z');
    fake = await createFakeGenAuth({ clock: () => now, signatureSkewMs: 60_000 });
    await fake.login('user-1', 'app-1');
  });
  afterEach(async () => {
    await fake.close();
  });

  function signed(params: Record<string, unknown>, over: Partial<Parameters<typeof signRequest>[0]> = {}) {
    return signRequest({
      method: 'POST',
      path: PATH,
      params,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      baseHeaders: BASE,
      now: new Date(now),
      ...over,
    });
  }

  async function send(headers: Record<string, string>, params: Record<string, unknown>) {
    const response = await fetch(`${fake.host}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(params),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  const params = { appId: 'app-1', userId: 'user-1' };

  it('accepts a correctly signed request', async () => {
    await expect(send(signed(params), params)).resolves.toMatchObject({ statusCode: 200, data: { active: true } });
  });

  it('refuses a missing date with 1304', async () => {
    const headers = signed(params);
    delete (headers as Record<string, string | undefined>).date;
    await expect(send(headers, params)).resolves.toMatchObject({ statusCode: 401, apiCode: 1304 });
  });

  it('refuses a date too far from the fake clock with 1305', async () => {
    const headers = signed(params, { now: new Date(now - 61_000) });
    await expect(send(headers, params)).resolves.toMatchObject({ statusCode: 401, apiCode: 1305 });
    const ahead = signed(params, { now: new Date(now + 61_000) });
    await expect(send(ahead, params)).resolves.toMatchObject({ statusCode: 401, apiCode: 1305 });
  });

  it('refuses a replayed nonce with 1306', async () => {
    const headers = signed(params);
    await expect(send(headers, params)).resolves.toMatchObject({ statusCode: 200 });
    await expect(send(headers, params)).resolves.toMatchObject({ statusCode: 401, apiCode: 1306 });
    expect(fake.calls.refused).toBe(1);
  });

  it('refuses a wrong secret, an unknown key id and a tampered body with 1300', async () => {
    await expect(send(signed(params, { accessKeySecret: 'nope' }), params)).resolves.toMatchObject({
      statusCode: 401,
      apiCode: 1300,
    });
    await expect(send(signed(params, { accessKeyId: 'other-id' }), params)).resolves.toMatchObject({
      statusCode: 401,
      apiCode: 1300,
    });
    const tampered = { appId: 'app-1', userId: 'user-2' };
    await expect(send(signed(params), tampered)).resolves.toMatchObject({ statusCode: 401, apiCode: 1300 });
    // A signed header changed after signing.
    await expect(send({ ...signed(params), 'x-authing-lang': 'zh-CN' }, params)).resolves.toMatchObject({
      statusCode: 401,
      apiCode: 1300,
    });
    expect(fake.calls.refused).toBe(4);
  });

  it('ignores unsigned headers', async () => {
    await expect(send({ ...signed(params), 'user-agent': 'whatever', 'x-other': '1' }, params)).resolves.toMatchObject({
      statusCode: 200,
    });
  });

  it('accepts the GenAuth-branded variant (x-genauth-* headers, GenAuth scheme word)', async () => {
    const headers: Record<string, string> = {
      date: new Date(now).toUTCString(),
      'x-genauth-lang': 'en-US',
      'x-genauth-sdk-version': 'genauth-node-sdk:1.0.0',
      'x-genauth-signature-method': 'HMAC-SHA1',
      'x-genauth-signature-version': '1.0',
      'x-genauth-signature-nonce': 'abc123',
    };
    const toSign = [
      'POST',
      `date:${headers.date}`,
      'x-genauth-lang:en-US',
      'x-genauth-sdk-version:genauth-node-sdk:1.0.0',
      'x-genauth-signature-method:HMAC-SHA1',
      'x-genauth-signature-nonce:abc123',
      'x-genauth-signature-version:1.0',
      `${PATH}?appId=app-1&userId=user-1`,
    ].join('\n');
    headers.authorization = `GenAuth ${fake.accessKeyId}:${computeSignature(fake.accessKeySecret, toSign)}`;
    await expect(send(headers, params)).resolves.toMatchObject({ statusCode: 200, data: { active: true } });

    // The x-authing-named string to sign does not verify under the GenAuth brand.
    const authingToSign = stringToSign('POST', PATH, { date: headers.date!, 'x-authing-signature-nonce': 'def456' }, params);
    const wrong = {
      date: headers.date!,
      'x-genauth-signature-nonce': 'def456',
      authorization: `GenAuth ${fake.accessKeyId}:${computeSignature(fake.accessKeySecret, authingToSign)}`,
    };
    await expect(send(wrong, params)).resolves.toMatchObject({ statusCode: 401, apiCode: 1300 });
  });

  it('answers 400 to unparseable JSON before checking the signature', async () => {
    const response = await fetch(`${fake.host}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed(params) },
      body: '{"appId":',
    });
    await expect(response.json()).resolves.toMatchObject({ statusCode: 400 });
  });
});
