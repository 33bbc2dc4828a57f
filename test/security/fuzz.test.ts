/**
 * Property-based tests of the input surface: arbitrary Authorization, Cookie and identity headers, sent byte for
 * byte over TCP to real Express 5 and Koa 3 apps guarded against the fake GenAuth.
 *
 * Every answer must be one of:
 * - 401 with a JSON `{ error }` of the guard and a `WWW-Authenticate` challenge;
 * - 200, only for a user who holds a live session at the fake (its ground truth, `fake.isActive`) and whom the
 *   request itself named (a valid token for that user, or the trusted identity header);
 * - 400 or 431 written by Node's HTTP parser for bytes or sizes it refuses before the app runs.
 * Never a 5xx, never an answer later than the raw client's time bound.
 */
import fc from 'fast-check';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { bearerJwt, cookie, createSessionGuard, firstOf, header, type SessionGuard } from '../../src/index';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import type { RunningApp } from '../support/frameworks';
import { b64url, currentFrameworks, jwtShaped, rawGet, type RawAnswer } from './support';

const APP = 'app-fuzz';
const LIVE = ['alice', 'bob'] as const;
/** Known to the fake, but without a live session in APP (never logged in, kicked, signed out, live elsewhere). */
const NOT_LIVE = ['carol', 'dave', 'erin', 'frank'] as const;
const GUARD_CODES = ['missing_credentials', 'invalid_token', 'session_inactive'];
const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

let fake: FakeGenAuth;
let guard: SessionGuard;
let attackerKey: CryptoKey;
/** Validly signed tokens by the fake, for users live and not live. */
const validTokens = new Map<string, string>();
let fakeKid: string;

// ---------------------------------------------------------------------------------------------------------------
// Credential specs: generated synchronously by fast-check, turned into header values (signing is async) per run.

type TokenSpec =
  | { kind: 'text'; value: string }
  | { kind: 'shaped'; header: unknown; payload: unknown; signature: string }
  | { kind: 'segments'; segments: string[] }
  | { kind: 'forged'; alg: 'RS256' | 'HS256'; header: Record<string, unknown>; claims: Record<string, unknown>; secret: string }
  | { kind: 'valid'; user: string }
  | { kind: 'mutated'; user: string; index: number; char: string }
  | { kind: 'huge'; length: number; unit: string };

interface Materialized {
  value: string;
  /** The user a correct guard may let through on this credential (its `sub` when validly signed). */
  vouches?: string;
}

/** No CR or LF: a header value stays one header (header injection is another test's business). */
const noLineBreaks = (value: string) => value.replace(/[\r\n]/g, ' ');

const anyText = fc
  .oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary-ascii', maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,120}=*$/),
  )
  .map(noLineBreaks);

const headerName = fc.string({ minLength: 1, maxLength: 8 }).map((name) => `x${name}`); // never crit or b64

const claimValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 30 }));

const tokenSpec = (users: readonly string[]): fc.Arbitrary<TokenSpec> =>
  fc.oneof(
    anyText.map((value): TokenSpec => ({ kind: 'text', value })),
    fc
      .record({
        header: fc.oneof(
          fc.record({
            alg: fc.oneof(fc.constantFrom('RS256', 'HS256', 'none', 'None', 'ES256', 'PS256'), fc.string({ maxLength: 8 })),
            kid: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 20 })),
            typ: fc.constantFrom('JWT', 'at+jwt', undefined),
          }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        payload: fc.oneof(
          fc.record({ sub: fc.oneof(fc.constantFrom(...users), claimValue), aud: claimValue, iss: claimValue, exp: claimValue }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        signature: fc.uint8Array({ maxLength: 300 }).map(b64url),
      })
      .map((spec): TokenSpec => ({ kind: 'shaped', ...spec })),
    fc
      .array(fc.uint8Array({ maxLength: 120 }).map(b64url), { minLength: 1, maxLength: 6 })
      .map((segments): TokenSpec => ({ kind: 'segments', segments })),
    fc
      .record({
        alg: fc.constantFrom('RS256' as const, 'HS256' as const),
        header: fc.dictionary(headerName, claimValue, { maxKeys: 3 }),
        kid: fc.oneof(fc.constant('fake'), fc.constant(undefined), fc.string({ maxLength: 20 })),
        claims: fc.record({
          sub: fc.oneof(fc.constantFrom(...users), claimValue),
          iss: fc.oneof(fc.constant('fake'), claimValue),
          aud: fc.oneof(fc.constant(APP), claimValue),
          exp: fc.oneof(fc.constant('future'), claimValue),
        }),
        extra: fc.dictionary(fc.string({ maxLength: 8 }), claimValue, { maxKeys: 3 }),
        secret: fc.string({ minLength: 1, maxLength: 40 }),
      })
      .map(({ alg, header: extraHeader, kid, claims, extra, secret }): TokenSpec => ({
        kind: 'forged',
        alg,
        header: { ...extraHeader, ...(kid === undefined ? {} : { kid }) },
        claims: { ...extra, ...claims },
        secret,
      })),
    fc.constantFrom(...users).map((user): TokenSpec => ({ kind: 'valid', user })),
    fc
      .record({ user: fc.constantFrom(...users), index: fc.nat(), char: fc.oneof(fc.constantFrom(...B64URL_ALPHABET), fc.string({ minLength: 1, maxLength: 2 })) })
      .map((spec): TokenSpec => ({ kind: 'mutated', ...spec })),
    fc
      .record({ length: fc.integer({ min: 4_000, max: 16 * 1024 }), unit: fc.oneof(fc.constantFrom('A', 'a.b', '%', 'é'), fc.string({ minLength: 1, maxLength: 4 })) })
      .map((spec): TokenSpec => ({ kind: 'huge', ...spec })),
  );

async function materialize(spec: TokenSpec): Promise<Materialized> {
  switch (spec.kind) {
    case 'text':
      return { value: spec.value };
    case 'shaped':
      return { value: jwtShaped(spec.header, spec.payload, spec.signature) };
    case 'segments':
      return { value: spec.segments.join('.') };
    case 'forged': {
      const now = Math.floor(Date.now() / 1000);
      const claims = { ...spec.claims };
      if (claims.iss === 'fake') claims.iss = fake.issuer;
      if (claims.exp === 'future') claims.exp = now + 3600;
      const protectedHeader = { ...spec.header, alg: spec.alg, typ: 'JWT' } as Record<string, unknown>;
      if (protectedHeader.kid === 'fake') protectedHeader.kid = fakeKid;
      const key = spec.alg === 'RS256' ? attackerKey : new TextEncoder().encode(spec.secret);
      const value = await new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(key);
      return { value }; // signed by a key the fake does not publish: vouches for nobody
    }
    case 'valid':
      return { value: validTokens.get(spec.user)!, vouches: spec.user };
    case 'mutated': {
      const token = validTokens.get(spec.user)!;
      const index = spec.index % token.length;
      return { value: noLineBreaks(token.slice(0, index) + spec.char + token.slice(index + 1)), vouches: spec.user };
    }
    case 'huge': {
      const value = spec.unit.repeat(Math.ceil(spec.length / spec.unit.length)).slice(0, spec.length);
      return { value: noLineBreaks(value) };
    }
  }
}

const ALL_USERS = [...LIVE, ...NOT_LIVE];

interface AuthorizationSpec {
  prefix: string;
  token: TokenSpec;
}
type CookieSpec =
  | { before: Array<[string, string]>; name: string; wrap: 'plain' | 'quoted' | 'encoded'; token: TokenSpec; after: Array<[string, string]> }
  | { raw: string };
type IdentitySpec = { user: string; pad: string } | { raw: string };

const authorizationSpec: fc.Arbitrary<AuthorizationSpec> = fc.oneof(
  fc.record({ prefix: fc.constantFrom('Bearer ', 'bearer ', 'BEARER  ', 'Bearer\t', 'Bearer', ' Bearer ', 'Basic ', 'Token ', ''), token: tokenSpec(ALL_USERS) }),
  fc.record({ prefix: fc.constant(''), token: anyText.map((value): TokenSpec => ({ kind: 'text', value })) }),
);

const cookieSpec: fc.Arbitrary<CookieSpec> = fc.oneof(
  fc.record({
    before: fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })), { maxLength: 3 }),
    name: fc.constantFrom('session', 'session', 'Session', ' session', 'sess'),
    wrap: fc.constantFrom('plain', 'quoted', 'encoded'),
    token: tokenSpec(ALL_USERS),
    after: fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })), { maxLength: 3 }),
  }),
  anyText.map((raw) => ({ raw })),
);

const identitySpec: fc.Arbitrary<IdentitySpec> = fc.oneof(
  fc.record({ user: fc.constantFrom(...ALL_USERS, 'ghost', 'ALICE', 'alice\u0000', 'alice\u0085'), pad: fc.constantFrom('', ' ', '\t', '  ') }),
  anyText.map((raw) => ({ raw })),
  fc.integer({ min: 257, max: 15_000 }).map((length) => ({ raw: 'a'.repeat(length) })),
);

interface Built {
  headers: Array<[string, string]>;
  vouches: Set<string>;
  /** The identity header named exactly one known live user and nothing else was sent: a 200 is due. */
  expectPassFor?: string;
}

async function buildAuthorization(spec: AuthorizationSpec, built: Built): Promise<void> {
  const token = await materialize(spec.token);
  built.headers.push(['Authorization', noLineBreaks(spec.prefix + token.value)]);
  if (token.vouches) built.vouches.add(token.vouches);
}

async function buildCookie(spec: CookieSpec, built: Built): Promise<void> {
  if ('raw' in spec) {
    built.headers.push(['Cookie', spec.raw]);
    return;
  }
  const token = await materialize(spec.token);
  const value = spec.wrap === 'quoted' ? `"${token.value}"` : spec.wrap === 'encoded' ? encodeURIComponent(token.value) : token.value;
  const pairs = [...spec.before.map(([n, v]) => `${n}=${v}`), `${spec.name}=${value}`, ...spec.after.map(([n, v]) => `${n}=${v}`)];
  built.headers.push(['Cookie', noLineBreaks(pairs.join('; '))]);
  if (token.vouches) built.vouches.add(token.vouches);
}

function buildIdentity(spec: IdentitySpec, built: Built): void {
  const value = noLineBreaks('raw' in spec ? spec.raw : `${spec.pad}${spec.user}${spec.pad}`);
  built.headers.push(['X-User-Id', value]);
  // Node drops leading and trailing spaces and tabs of a header value.
  built.vouches.add(value.replace(/^[ \t]+|[ \t]+$/g, ''));
}

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  fake = await createFakeGenAuth();
  ({ privateKey: attackerKey } = await generateKeyPair('RS256'));
  for (const user of LIVE) validTokens.set(user, await fake.login(user, APP));
  validTokens.set('carol', await fake.signToken({ sub: 'carol', aud: APP, iss: fake.issuer }));
  fake.addUser('carol');
  validTokens.set('dave', await fake.login('dave', APP));
  fake.kick('dave');
  validTokens.set('erin', await fake.login('erin', APP));
  fake.logout('erin', APP);
  await fake.login('frank', 'another-app'); // live elsewhere only
  validTokens.set('frank', await fake.signToken({ sub: 'frank', aud: APP, iss: fake.issuer }));
  fakeKid = JSON.parse(Buffer.from(validTokens.get('alice')!.split('.')[0]!, 'base64url').toString()).kid;
  const audience = ({ appId }: { appId: string }) => appId;
  guard = createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    identity: firstOf(
      bearerJwt({ issuer: fake.issuer, audience }),
      cookie('session', { jwt: { issuer: fake.issuer, audience } }),
      header('x-user-id'),
    ),
    timeoutMs: 2_000,
    retries: 0,
  });
});

afterAll(async () => {
  await guard.close();
  await fake.close();
});

describe.each(currentFrameworks)('$name', (framework) => {
  let app: RunningApp;
  const stats = { requests: 0, passes: 0, refusals: 0, parser: 0 };

  beforeAll(async () => {
    app = await framework.start(APP, { guard }, { count: 0 });
  });

  afterAll(async () => {
    await app.close();
    // Sanity: the runs exercised both sides of the decision.
    expect(stats.passes).toBeGreaterThan(0);
    expect(stats.refusals).toBeGreaterThan(stats.passes);
  });

  /** Sends the request and checks the invariants every answer must meet; returns the answer. */
  async function send(built: Built): Promise<RawAnswer> {
    const answer = await rawGet(app.url, '/admin', built.headers);
    stats.requests++;
    const where = `headers ${JSON.stringify(built.headers).slice(0, 300)}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`;
    if (answer.fromParser) {
      stats.parser++;
      return answer;
    }
    if (answer.status >= 500) throw new Error(`a 5xx answer for ${where}`);
    if (answer.status === 200) {
      const { auth } = JSON.parse(answer.body) as { auth: { userId: string; appId: string } };
      if (!fake.isActive(auth.userId, APP)) throw new Error(`200 without a live session at the fake for ${where}`);
      if (!built.vouches.has(auth.userId)) throw new Error(`200 for a user the request did not name for ${where}`);
      if (auth.appId !== APP) throw new Error(`200 for another app for ${where}`);
      stats.passes++;
      return answer;
    }
    if (answer.status !== 401) throw new Error(`neither 200 nor 401 for ${where}`);
    const body = JSON.parse(answer.body) as { error: string };
    if (!GUARD_CODES.includes(body.error)) throw new Error(`401 with an unknown code for ${where}`);
    if (!answer.headers['www-authenticate']?.startsWith('Bearer realm=')) throw new Error(`401 without a challenge for ${where}`);
    stats.refusals++;
    return answer;
  }

  it('Authorization alone: random strings, Bearer + random, JWT-shaped, forged, mutated and huge tokens', async () => {
    await fc.assert(
      fc.asyncProperty(authorizationSpec, async (spec) => {
        const built: Built = { headers: [], vouches: new Set() };
        await buildAuthorization(spec, built);
        await send(built);
      }),
      { numRuns: 400 },
    );
  });

  it('Cookie alone: a session cookie holding any of those tokens among random pairs, or a random header', async () => {
    await fc.assert(
      fc.asyncProperty(cookieSpec, async (spec) => {
        const built: Built = { headers: [], vouches: new Set() };
        await buildCookie(spec, built);
        await send(built);
      }),
      { numRuns: 300 },
    );
  });

  it('identity header alone: 200 exactly for a known user with a live session, 401 otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(identitySpec, async (spec) => {
        const built: Built = { headers: [], vouches: new Set() };
        buildIdentity(spec, built);
        const answer = await send(built);
        const sent = 'raw' in spec ? undefined : spec.user;
        const due = sent !== undefined && (LIVE as readonly string[]).includes(sent);
        if (due) expect(answer.status).toBe(200);
        else if (!answer.fromParser) expect(answer.status).toBe(401);
      }),
      { numRuns: 300 },
    );
  });

  it('all three together, in any combination', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { authorization: authorizationSpec, cookie: cookieSpec, identity: identitySpec },
          { requiredKeys: [] },
        ),
        async (spec) => {
          const built: Built = { headers: [], vouches: new Set() };
          if (spec.authorization) await buildAuthorization(spec.authorization, built);
          if (spec.cookie) await buildCookie(spec.cookie, built);
          if (spec.identity) buildIdentity(spec.identity, built);
          const answer = await send(built);
          if (built.headers.length === 0) expect(JSON.parse(answer.body).error).toBe('missing_credentials');
        },
      ),
      { numRuns: 400 },
    );
  });
});
