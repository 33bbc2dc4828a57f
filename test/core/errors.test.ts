import {
  InvalidAppIdError,
  InvalidTokenError,
  isSessionGuardError,
  MissingCredentialsError,
  SessionCheckUnavailableError,
  SessionInactiveError,
} from '../../src/index';

const BRAND = Symbol.for('genauth-session-guard.refusal');

describe('isSessionGuardError: the brand, not instanceof and not a string code', () => {
  it.each([
    new MissingCredentialsError(),
    new InvalidTokenError(),
    new SessionInactiveError(),
    new SessionCheckUnavailableError(),
    new InvalidAppIdError(),
  ])('accepts %p, whose brand does not show in keys or JSON', (error) => {
    expect(isSessionGuardError(error)).toBe(true);
    expect((error as unknown as Record<symbol, unknown>)[BRAND]).toBe(true);
    expect(Object.keys(error)).not.toContain(BRAND);
    expect(Object.getOwnPropertyDescriptor(error, BRAND)).toMatchObject({ enumerable: false, writable: false });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ error: error.code, message: error.message });
  });

  it('InvalidAppIdError is a 400 refusal with a stable code', () => {
    expect(new InvalidAppIdError()).toMatchObject({ code: 'invalid_app_id', status: 400, statusCode: 400, expose: true, headers: {} });
  });

  function invalidUrlError(): unknown {
    try {
      new URL('not a url');
    } catch (error) {
      return error;
    }
    return undefined;
  }
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();

  it.each<[string, unknown]>([
    ['an Error with a string code (ERR_INVALID_URL)', invalidUrlError()],
    ['an Error with a refusal code and status', Object.assign(new Error('x'), { code: 'invalid_token', status: 401, headers: {}, toJSON: () => ({}) })],
    ['a plain object shaped like a refusal', { code: 'session_inactive', status: 401, headers: {}, toJSON: () => ({}) }],
    ['a branded object without a code', { [BRAND]: true, status: 401, headers: {}, toJSON: () => ({}) }],
    ['a branded object with a 200 status', { [BRAND]: true, code: 'x', status: 200, headers: {}, toJSON: () => ({}) }],
    ['a branded object with a string status', { [BRAND]: true, code: 'x', status: '401', headers: {}, toJSON: () => ({}) }],
    ['a branded object without headers', { [BRAND]: true, code: 'x', status: 401, toJSON: () => ({}) }],
    ['a brand that is not true', { [BRAND]: 'yes', code: 'x', status: 401, headers: {}, toJSON: () => ({}) }],
    ['a revoked Proxy', revoked],
    ['an object whose getter throws', Object.defineProperty({}, BRAND, { get: () => { throw new Error('boom'); } })],
    ['undefined', undefined],
    ['null', null],
    ["'route'", 'route'],
  ])('refuses %s', (_label, value) => {
    expect(isSessionGuardError(value)).toBe(false);
  });
});
