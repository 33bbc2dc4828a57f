import { SignJWT } from 'jose';
import { InvalidTokenError } from '../../src/core/errors';
import { bearerJwt } from '../../src/extractors';
import { parseBearerToken } from '../../src/extractors/bearer-token';
import { isB64Token } from '../../src/extractors/jwt-verifier';
import { caught, req } from './idp-server';

/**
 * The parser as it was before its fast path (issue 12): regular expressions over the whole value, the token's
 * alphabet checked at once. The fast path defers the alphabet to the verifier; together they must answer the same.
 */
function reference(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (trimmed.length === 0) return undefined;
  const schemeEnd = trimmed.search(/\s/);
  const scheme = schemeEnd === -1 ? trimmed : trimmed.slice(0, schemeEnd);
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  const rest = schemeEnd === -1 ? '' : trimmed.slice(schemeEnd);
  const token = rest.replace(/^ +/, '');
  if (token.length === 0) throw new InvalidTokenError('empty');
  if (token === rest || !/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new InvalidTokenError('malformed');
  return token;
}

/** What a caller sees: no credential, a refusal, or the token. */
function outcome(parse: () => string | undefined): string {
  try {
    const token = parse();
    return token === undefined ? 'none' : `token:${token}`;
  } catch (error) {
    return error instanceof InvalidTokenError ? 'invalid' : `crash:${String(error)}`;
  }
}

/** The parser followed by the check the verifier makes before it reads a token. */
function parsedAndChecked(value: string | undefined): string | undefined {
  const token = parseBearerToken(value);
  if (token !== undefined && !isB64Token(token)) throw new InvalidTokenError('malformed');
  return token;
}

describe('parseBearerToken', () => {
  const leads = ['', ' ', '\t', '  ', ' \t'];
  // Each letter of "Bearer" missed once (the fast path compares them one by one), non-ASCII look-alikes (U+0130,
  // U+017F long s, U+212A Kelvin sign), other schemes.
  const schemes = ['Bearer', 'bearer', 'BEARER', 'bEaReR', 'Xearer', 'Bxarer', 'Bexrer', 'Beaxer', 'Bearxr', 'Bearex', 'Bearer' + 'x', 'Bearer:', 'Bear',
    'Basic', 'DPoP', 'Bearér', 'Bearer\u0130', '\u0130earer', 'Bea\u017Fer', 'Bearer\u212A', ''];
  const separators = ['', ' ', '  ', '\t', ' \t', '\t ', '\u00a0', ' \u00a0', '\n'];
  const tokens = ['', 'a', 'a.b.c', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln-_', 'a~+/b==', 'a=x', 'a b', 'a  b', 'a\tb', 'a,b', '"a"', 'a\u00a0b', 'a\u0000b', '=', 'ü'];
  const tails = ['', ' ', '  ', '\t', ' \t ', '\u00a0', ' x', '\r'];
  const values: string[] = [];
  for (const lead of leads) for (const scheme of schemes) for (const separator of separators) for (const token of tokens) for (const tail of tails) {
    values.push(lead + scheme + separator + token + tail);
  }

  // Long runs of blanks: the old trimming expression was quadratic in them (about 100 ms for 16 KB); the answers
  // must not change.
  for (const run of [' '.repeat(16_000), ' \t'.repeat(8_000)]) {
    values.push(`Bearer${run}x`, `Basic${run}x`, `${run}Bearer x${run}`, `Bearer \t${run}x`, `Bearer x${run}y`);
  }

  it(`answers as the regular-expression parser did, for ${values.length} header values`, () => {
    const differences = values
      .map((value) => ({ value, now: outcome(() => parsedAndChecked(value)), before: outcome(() => reference(value)) }))
      .filter(({ now, before }) => now !== before);
    expect(differences).toEqual([]);
    // Not vacuous: each kind of answer occurs.
    const kinds = new Set(values.map((value) => outcome(() => reference(value)).split(':')[0]));
    expect([...kinds].sort()).toEqual(['invalid', 'none', 'token']);
  });

  it('takes the common form without scanning the token, leaving the alphabet to the verifier', () => {
    expect(parseBearerToken('Bearer a,b')).toBe('a,b');
    expect(isB64Token('a,b')).toBe(false);
    expect(parseBearerToken(undefined)).toBeUndefined();
  });
});

describe('bearerJwt: the form of a token is refused before any code of the app runs', () => {
  it('refuses a malformed token without calling a function audience, even one that throws', async () => {
    let calls = 0;
    const extract = bearerJwt({ secret: 'k'.repeat(32), audience: () => { calls++; throw new Error('tenant lookup failed'); } });
    for (const authorization of ['Bearer a,b', 'Bearer a b', 'Bearer "a.b.c"', `Bearer ${'a'.repeat(20_000)}`]) {
      await expect(Promise.resolve().then(() => extract(req({ authorization }), { appId: 'app' }))).rejects.toBeInstanceOf(InvalidTokenError);
    }
    expect(calls).toBe(0);
  });
});

describe('bearerJwt with a remembered token', () => {
  const secret = new TextEncoder().encode('k'.repeat(32));

  it('refuses the remembered token followed by anything (another part, a non-breaking space, a comma)', async () => {
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    const extract = bearerJwt({ secret: 'k'.repeat(32), audience: false });
    await expect(Promise.resolve(extract(req({ authorization: `Bearer ${token}` }), { appId: 'app' }))).resolves.toMatchObject({ userId: 'u' });
    // The second call answers from the cache of verified tokens.
    expect(extract(req({ authorization: `Bearer ${token}` }), { appId: 'app' })).toMatchObject({ userId: 'u' });
    for (const authorization of [`Bearer ${token} extra`, `Bearer ${token}\u00a0`, `Bearer ${token},`, `Bearer ${token}\tx`, `Bearer ${token.slice(0, -1)}`]) {
      const error = await caught(async () => extract(req({ authorization }), { appId: 'app' }));
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect(String((error as Error).message)).not.toContain(token);
    }
  });
});
