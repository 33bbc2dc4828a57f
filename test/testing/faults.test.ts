import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

const CHECK = '/api/v3/check-session-status';

describe('faults', () => {
  let fake: FakeGenAuth;
  let headers: Record<string, string>;

  beforeAll(async () => {
    fake = await createFakeGenAuth();
    await fake.login('user-1', 'app-1');
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
  afterEach(() => {
    fake.clearFaults();
    fake.resetCalls();
  });
  afterAll(async () => {
    await fake.close();
  });

  function check(init: RequestInit = {}): Promise<Response> {
    return fetch(`${fake.host}${CHECK}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ appId: 'app-1', userId: 'user-1' }),
      ...init,
    });
  }

  const NORMAL = '{"statusCode":200,"message":"success","data":{"active":true}}';

  it('latency: delays, then answers normally', async () => {
    fake.fault({ kind: 'latency', ms: 200 });
    const started = Date.now();
    const response = await check();
    expect(await response.text()).toBe(NORMAL);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('http-status: a JSON envelope with that status, or an HTML page', async () => {
    fake.fault({ kind: 'http-status', status: 503 }, { times: 1 });
    const json = await check();
    expect(json.status).toBe(503);
    expect(await json.json()).toMatchObject({ statusCode: 503 });

    fake.fault({ kind: 'http-status', status: 502, html: true }, { times: 1 });
    const html = await check();
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toMatch(/<html>/);
  });

  it('body-status: HTTP 200 with a failure envelope', async () => {
    fake.fault({ kind: 'body-status', statusCode: 500, apiCode: 1234 });
    const response = await check();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ statusCode: 500, apiCode: 1234 });
  });

  it('throttle: HTTP 429 with Retry-After, or statusCode 429 in the body', async () => {
    fake.fault({ kind: 'throttle', retryAfterSec: 7 }, { times: 1 });
    const http = await check();
    expect(http.status).toBe(429);
    expect(http.headers.get('retry-after')).toBe('7');
    expect(await http.json()).toMatchObject({ statusCode: 429 });

    fake.fault({ kind: 'throttle' }, { times: 1 });
    const defaulted = await check();
    expect(defaulted.headers.get('retry-after')).toBe('1');
    await defaulted.text();

    fake.fault({ kind: 'throttle', inBody: true }, { times: 1 });
    const body = await check();
    expect(body.status).toBe(200);
    expect(body.headers.get('retry-after')).toBeNull();
    expect(await body.json()).toMatchObject({ statusCode: 429 });
  });

  it('malformed, truncated and empty bodies', async () => {
    fake.fault({ kind: 'malformed' }, { times: 1 });
    fake.fault({ kind: 'truncated' }, { times: 1 });
    fake.fault({ kind: 'empty' }, { times: 1 });
    const malformed = await check();
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
    const truncated = await check();
    const text = await truncated.text();
    expect(text.startsWith('{"statusCode":200')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    const empty = await check();
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
  });

  it('missing-active and non-boolean-active', async () => {
    fake.fault({ kind: 'missing-active' }, { times: 1 });
    fake.fault({ kind: 'non-boolean-active' }, { times: 1 });
    expect(await (await check()).json()).toEqual({ statusCode: 200, message: 'success', data: {} });
    expect(await (await check()).json()).toEqual({ statusCode: 200, message: 'success', data: { active: 'true' } });
    expect(await (await check()).text()).toBe(NORMAL);
  });

  it('huge: a valid-looking body of the requested size, with or without content-length', async () => {
    fake.fault({ kind: 'huge', bytes: 3_000_000 }, { times: 1 });
    const sized = await check();
    expect(sized.headers.get('content-length')).toBe('3000000');
    const text = await sized.text();
    expect(text.length).toBe(3_000_000);
    expect(JSON.parse(text)).toMatchObject({ statusCode: 200, data: { active: true } });

    fake.fault({ kind: 'huge', bytes: 200_000, chunked: true }, { times: 1 });
    const chunked = await check();
    expect(chunked.headers.get('content-length')).toBeNull();
    expect((await chunked.text()).length).toBe(200_000);
  });

  it('huge: a client that stops reading early does not break the fake', async () => {
    fake.fault({ kind: 'huge', bytes: 50_000_000 }, { times: 1 });
    const controller = new AbortController();
    const response = await check({ signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    expect(await (await check()).text()).toBe(NORMAL);
  });

  it('hang: never answers', async () => {
    fake.fault({ kind: 'hang' }, { times: 1 });
    await expect(check({ signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(await (await check()).text()).toBe(NORMAL);
  });

  it('reset: the socket is destroyed without an answer', async () => {
    fake.fault({ kind: 'reset' }, { times: 1 });
    await expect(check()).rejects.toThrow();
    expect(await (await check()).text()).toBe(NORMAL);
  });

  it('drip: the normal body, one byte every ms', async () => {
    fake.fault({ kind: 'drip', ms: 5 }, { times: 1 });
    const started = Date.now();
    const response = await check();
    expect(await response.text()).toBe(NORMAL);
    expect(Date.now() - started).toBeGreaterThanOrEqual((NORMAL.length * 5) / 2);
  });

  it('times: applies to that many requests, then stops; without times it lasts until clearFaults', async () => {
    fake.fault({ kind: 'body-status', statusCode: 503 }, { times: 2 });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(((await (await check()).json()) as { statusCode: number }).statusCode);
    expect(codes).toEqual([503, 503, 200]);

    fake.fault({ kind: 'body-status', statusCode: 502 });
    for (let i = 0; i < 4; i++) expect(((await (await check()).json()) as { statusCode: number }).statusCode).toBe(502);
    fake.clearFaults();
    expect(await (await check()).text()).toBe(NORMAL);
  });

  it('faults are taken in the order given', async () => {
    fake.fault({ kind: 'body-status', statusCode: 500 }, { times: 1 });
    fake.fault({ kind: 'body-status', statusCode: 503 }, { times: 1 });
    expect(await (await check()).json()).toMatchObject({ statusCode: 500 });
    expect(await (await check()).json()).toMatchObject({ statusCode: 503 });
  });

  it('endpoint: targets one endpoint, or any', async () => {
    fake.fault({ kind: 'http-status', status: 500 }, { endpoint: 'jwks', times: 1 });
    expect(await (await check()).text()).toBe(NORMAL);
    const jwks = await fetch(fake.jwksUri);
    expect(jwks.status).toBe(500);
    await jwks.text();

    fake.fault({ kind: 'http-status', status: 502 }, { endpoint: 'any', times: 2 });
    const token = await fetch(`${fake.host}/api/v3/get-management-token`, { method: 'POST', body: '{}' });
    expect(token.status).toBe(502);
    await token.text();
    const discovery = await fetch(`${fake.issuer}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(502);
    await discovery.text();
    expect((await check()).status).toBe(200);
  });

  it('faulted requests are still counted', async () => {
    fake.fault({ kind: 'body-status', statusCode: 500 });
    await (await check()).text();
    await (await check()).text();
    expect(fake.calls.check).toBe(2);
  });

  it('rejects unusable faults with a TypeError', () => {
    expect(() => fake.fault({ kind: 'latency', ms: -1 })).toThrow(TypeError);
    expect(() => fake.fault({ kind: 'http-status', status: 42 })).toThrow(TypeError);
    expect(() => fake.fault({ kind: 'empty' }, { times: 0 })).toThrow(TypeError);
    expect(() => fake.fault({ kind: 'nope' } as never)).toThrow(TypeError);
    expect(() => fake.fault({ kind: 'empty' }, { endpoint: 'nope' as never })).toThrow(TypeError);
  });
});
