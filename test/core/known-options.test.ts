import { assertKnownKeys, editDistance, suggestKey, unknownKey } from '../../src/core/known-options';

const KNOWN = { roles: true, permissions: true, scopes: true, timeoutMs: true, accessKeyId: true, maxBodyBytes: true, retries: true } as const;

function messageOf(options: object, where = 'test options'): string {
  try {
    assertKnownKeys(options, KNOWN, where);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as TypeError).message;
  }
  throw new Error('expected a TypeError');
}

describe('assertKnownKeys', () => {
  it('accepts known keys, undefined values included, and an empty object', () => {
    expect(() => assertKnownKeys({ roles: ['a'], scopes: undefined }, KNOWN, 'x')).not.toThrow();
    expect(() => assertKnownKeys({}, KNOWN, 'x')).not.toThrow();
  });

  it('names the key, where, and the key meant', () => {
    expect(messageOf({ role: ['admin'] }, 'requireActiveSession options')).toBe(
      'genauth-session-guard: unknown option "role" in requireActiveSession options; did you mean "roles"?',
    );
  });

  it('without a close key, lists the keys it takes', () => {
    expect(messageOf({ frobnicate: 1 })).toBe(
      'genauth-session-guard: unknown option "frobnicate" in test options; it takes "roles", "permissions", "scopes", "timeoutMs", "accessKeyId", "maxBodyBytes", "retries"',
    );
  });

  it('never echoes a value, and cuts and escapes a long or odd key', () => {
    const secret = 'sk-live-0123456789abcdef';
    expect(messageOf({ accessKeySecret: secret })).not.toContain(secret);
    const long = messageOf({ ['k\n'.repeat(1_000)]: 1 });
    expect(long.length).toBeLessThan(400);
    expect(long).not.toContain('\n');
  });

  it('inherited keys and Object.prototype names are not taken for known keys', () => {
    expect(messageOf({ toString: 1 })).toContain('"toString"');
    expect(messageOf({ constructor: 1 })).toContain('"constructor"');
    expect(() => assertKnownKeys(Object.create({ role: 1 }), KNOWN, 'x')).not.toThrow(); // not own: not read either
  });

  it('unknownKey returns the first unknown own key', () => {
    expect(unknownKey({ roles: 1, scope: 1, x: 1 }, KNOWN)).toBe('scope');
    expect(unknownKey({ roles: 1 }, KNOWN)).toBeUndefined();
  });

  it('hints: a note when nothing is close, keys suggested that are not taken here', () => {
    expect(() => assertKnownKeys({ cache: {} }, KNOWN, 'x', { note: () => '(set it elsewhere).' })).toThrow(/"retries" \(set it elsewhere\)\.$/);
    expect(() => assertKnownKeys({ role: {} }, KNOWN, 'x', { note: () => '(set it elsewhere).' })).toThrow(/did you mean "roles"\?$/);
    expect(() => assertKnownKeys({ gaurd: {} }, KNOWN, 'x', { meant: ['guard'] })).toThrow(/did you mean "guard"\?$/);
  });
});

describe('suggestKey', () => {
  const keys = Object.keys(KNOWN);
  it.each([
    ['role', 'roles'],
    ['permission', 'permissions'],
    ['scope', 'scopes'],
    ['timeout', 'timeoutMs'],
    ['timeoutms', 'timeoutMs'],
    ['timoutMs', 'timeoutMs'],
    ['tiemoutMs', 'timeoutMs'],
    ['access_key_id', 'accessKeyId'],
    ['ACCESSKEYID', 'accessKeyId'],
    ['maxBody', 'maxBodyBytes'],
    ['rolse', 'roles'],
    ['retry', 'retries'],
    ['maxBo', 'maxBodyBytes'],
    ['permis', 'permissions'],
  ])('%s -> %s', (key, meant) => {
    expect(suggestKey(key, keys)).toBe(meant);
  });

  it('an abbreviation of two known keys suggests neither', () => {
    expect(suggestKey('access', ['accessKeyId', 'accessKeySecret'])).toBeUndefined();
    expect(suggestKey('accessKeySec', ['accessKeyId', 'accessKeySecret'])).toBe('accessKeySecret');
  });

  it.each(['x', 'ab', 'guard', 'frobnicate', 'r'.repeat(100)])('%s: nothing close', (key) => {
    expect(suggestKey(key, keys)).toBeUndefined();
  });

  it('edit distance counts an adjacent transposition once', () => {
    expect(editDistance('roles', 'rolse')).toBe(1);
    expect(editDistance('ttl', 'ttlms')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
