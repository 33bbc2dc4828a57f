import { buildAuthorization, buildStringToSign } from 'authing-node-sdk/dist/utils/buildSignature';
import { signRequest, stringToSign } from '../../src/client/request-signature';
import { APP, asUser, useHarness } from '../core/fixtures';

const DATE = 'Thu, 26 Nov 2026 11:00:00 GMT';
const base = {
  date: DATE,
  'x-authing-lang': 'en-US',
  'x-authing-sdk-version': 'genauth-session-guard:0.1.0',
  'x-authing-signature-method': 'HMAC-SHA1',
  'x-authing-signature-version': '1.0',
  'x-authing-signature-nonce': '0123456789abcdef0123456789abcdef',
};

describe("request signature: the string to sign is authing-node-sdk's buildStringToSign", () => {
  const cases: Array<[string, string, string, Record<string, string>, Record<string, unknown>]> = [
    ['check-session-status as this client sends it', 'POST', '/api/v3/check-session-status', base, { appId: 'app-1', userId: 'user-1' }],
    ['keys out of order, mixed case and punctuation', 'POST', '/api/v3/x', base, { userId: 'u', appId: 'a', AppId: 'b', _z: 'c', 'a-b': 'd' }],
    ['values NOT url-encoded: &, =, ?, spaces, unicode', 'POST', '/api/v3/check-session-status', base, { appId: 'a&b=c?d', userId: '用户 1 +%2F' }],
    ['object, array, number, boolean and null values', 'POST', '/api/v3/kick-users', base, { appIds: ['a', 'b'], options: { userIdType: 'user_id' }, n: 42, yes: true, none: null }],
    ['undefined values skipped', 'POST', '/api/v3/x', base, { a: undefined, b: 'kept', c: undefined }],
    ['only undefined values: the ? stays', 'POST', '/api/v3/x', base, { a: undefined }],
    ['no parameters: no ?', 'POST', '/api/v3/x', base, {}],
    ['a GET with query parameters', 'GET', '/api/v3/get-user-loggedin-apps', base, { userId: 'u-1' }],
    ['header values with tabs, newlines, CR, FF and padding', 'POST', '/api/v3/x',
      { ...base, 'x-authing-lang': ' \tzh-CN\r\n', 'x-authing-sdk-version': 'a\fb\tc' }, { appId: 'a' }],
    ['a tenant header and unsigned headers', 'POST', '/api/v3/x',
      { ...base, 'x-authing-app-id': 'tenant-1', accept: 'application/json', 'content-type': 'application/json', authorization: 'ignored', 'user-agent': 'ua' },
      { appId: 'a' }],
  ];

  it.each(cases)('%s', (_label, method, path, headers, params) => {
    expect(stringToSign(method, path, headers, params)).toBe(buildStringToSign(method, path, headers, params));
  });

  it('matches the wire page example line by line (no trailing newline)', () => {
    expect(stringToSign('POST', '/api/v3/check-session-status', base, { appId: 'app-1', userId: 'user-1' })).toBe([
      'POST',
      `date:${DATE}`,
      'x-authing-lang:en-US',
      'x-authing-sdk-version:genauth-session-guard:0.1.0',
      'x-authing-signature-method:HMAC-SHA1',
      'x-authing-signature-nonce:0123456789abcdef0123456789abcdef',
      'x-authing-signature-version:1.0',
      '/api/v3/check-session-status?appId=app-1&userId=user-1',
    ].join('\n'));
  });

  it("signRequest's authorization is the SDK's buildAuthorization", () => {
    const headers = signRequest({
      method: 'POST',
      path: '/api/v3/check-session-status',
      params: { appId: 'app-1', userId: 'user-1' },
      accessKeyId: 'key-id',
      accessKeySecret: 'key-secret',
      baseHeaders: { 'x-authing-lang': 'en-US', 'x-authing-sdk-version': 'genauth-session-guard:0.1.0', 'content-type': 'application/json' },
      now: new Date(Date.parse(DATE)),
      nonce: 'fixed-nonce',
    });
    const { authorization, ...signed } = headers;
    expect(signed.date).toBe(DATE);
    expect(authorization).toBe(buildAuthorization('key-id', 'key-secret',
      buildStringToSign('POST', '/api/v3/check-session-status', signed, { appId: 'app-1', userId: 'user-1' })));
  });
});

describe('request signature on the wire (guard against the fake)', () => {
  const h = useHarness();

  it('every check request verifies with the SDK, carries a fresh nonce and the guard clock date; the fake accepts all', async () => {
    const { fake, clock } = h();
    const requests: Array<{ headers: Record<string, string>; body: Record<string, unknown> }> = [];
    const guard = h().guard({
      auth: 'signature',
      cache: false,
      fetch: (input: string | URL, init?: RequestInit) => {
        if (String(input).endsWith('/check-session-status')) {
          requests.push({ headers: { ...(init?.headers as Record<string, string>) }, body: JSON.parse(String(init?.body)) });
        }
        return fetch(input, init);
      },
    });
    const users = ['alice', 'bob', 'ünïcødé', 'a&b=c', 'x:y'];
    for (const user of users) await fake.login(user, APP);
    for (const user of users) await guard.authenticate(asUser(user), APP);
    expect(requests).toHaveLength(users.length);
    expect(fake.calls).toMatchObject({ check: users.length, token: 0, refused: 0 });
    const nonces = new Set<string>();
    for (const { headers, body } of requests) {
      const { authorization, ...rest } = headers;
      expect(authorization).toBe(buildAuthorization(fake.accessKeyId, fake.accessKeySecret,
        buildStringToSign('POST', '/api/v3/check-session-status', rest, body)));
      expect(rest).toMatchObject({
        date: new Date(clock()).toUTCString(),
        'x-authing-signature-method': 'HMAC-SHA1',
        'x-authing-signature-version': '1.0',
        'x-authing-signature-nonce': expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      nonces.add(rest['x-authing-signature-nonce'] ?? '');
      expect(authorization).not.toContain(fake.accessKeySecret);
    }
    expect(nonces.size).toBe(users.length);
  });

  it('a retried call is signed afresh (a new nonce; the fake refuses a replayed one)', async () => {
    const { fake } = h();
    const nonces: string[] = [];
    const guard = h().guard({
      auth: 'signature',
      retries: 1,
      fetch: (input: string | URL, init?: RequestInit) => {
        nonces.push((init?.headers as Record<string, string>)['x-authing-signature-nonce'] ?? '');
        return fetch(input, init);
      },
    });
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502 }, { times: 1 });
    await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ userId: 'alice' });
    expect(fake.calls.check).toBe(2);
    expect(nonces).toHaveLength(2);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(fake.calls.refused).toBe(0);
  });
});
