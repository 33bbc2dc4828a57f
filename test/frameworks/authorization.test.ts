import { createFakeGenAuth, type FakeEndpoint, type FakeGenAuth, type Fault } from '../../src/testing';
import { bearerJwt, createSessionGuard, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { frameworks, manualClock, type RunningApp } from '../support/frameworks';

const APP = 'app-1';

/** The route of the table: all three, combined with AND. */
const POLICY = {
  roles: ['admin', { code: 'auditor', namespace: 'finance' }],
  permissions: { namespace: 'orders', action: 'read', resources: ['order:2', 'order:1'] },
  scopes: ['admin:write'],
};

interface Case {
  active: boolean;
  role: boolean;
  permission: boolean;
  scope: boolean;
  fault: { name: string; endpoint: FakeEndpoint; fault: Fault } | undefined;
}

const FAULTS: Case['fault'][] = [
  undefined,
  { name: 'session HTTP 500', endpoint: 'check', fault: { kind: 'http-status', status: 500 } },
  { name: 'roles statusCode 503', endpoint: 'roles', fault: { kind: 'body-status', statusCode: 503 } },
  { name: 'roles throttled', endpoint: 'roles', fault: { kind: 'throttle', retryAfterSec: 7 } },
  { name: 'permissions not JSON', endpoint: 'permissions', fault: { kind: 'malformed' } },
  { name: 'permissions without checkResultList', endpoint: 'permissions', fault: { kind: 'missing-active' } },
];

const CASES: Case[] = [];
for (const fault of FAULTS) {
  for (const active of [true, false]) {
    for (const role of [true, false]) {
      for (const permission of [true, false]) {
        for (const scope of [true, false]) CASES.push({ active, role, permission, scope, fault });
      }
    }
  }
}

/** The answer the contract requires, in its order: 401 inactive, 503 unable to answer, 403 missing, 200. */
function expected(c: Case): { status: number; error?: string } {
  if (c.fault?.endpoint === 'check') return { status: 503, error: 'session_check_unavailable' };
  if (!c.active) return { status: 401, error: 'session_inactive' };
  // A missing scope is known locally: no authorization call is made, so no authorization fault can show.
  if (!c.scope) return { status: 403, error: 'insufficient_permission' };
  if (c.fault) return { status: 503, error: 'session_check_unavailable' };
  if (!c.role || !c.permission) return { status: 403, error: 'insufficient_permission' };
  return { status: 200 };
}

function describeCase(c: Case): string {
  return `${c.active ? 'live' : 'kicked'}, role ${c.role ? 'held' : 'not held'}, permission ${c.permission ? 'granted' : 'partial'}, ` +
    `scope ${c.scope ? 'present' : 'missing'}, ${c.fault?.name ?? 'no fault'}`;
}

describe.each(frameworks)('$name: roles x permissions x scopes x session x faults', (framework) => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let app: RunningApp;
  const reached = { count: 0 };

  beforeAll(async () => {
    const clock = manualClock();
    fake = await createFakeGenAuth({ clock });
    guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: bearerJwt({ issuer: fake.issuer, audience: APP, clock }),
      clock,
      timeoutMs: 10_000, // roomy: no case here times out (a busy machine must not make one)
      retries: 0,
      circuitBreaker: false,
    } as SessionGuardOptions);
    app = await framework.start(APP, { guard, ...POLICY }, reached);
  });

  afterAll(async () => {
    await app.close();
    await guard.close();
    await fake.close();
  });

  it.each(CASES.map((c, index) => ({ ...c, index, title: describeCase(c) })))('$title', async (c) => {
    const userId = `user-${c.index}`; // a fresh user per case: every case is a cold request
    const token = await fake.login(userId, APP, { claims: { scope: c.scope ? 'openid admin:write profile' : 'openid profile' } });
    if (!c.active) fake.kick(userId);
    // Holds auditor in the wrong (default) namespace when the case says "not held".
    fake.assignRole(userId, 'auditor', c.role ? 'finance' : undefined);
    fake.grantPermission(userId, { namespace: 'orders', action: 'read', resource: 'order:1' });
    if (c.permission) fake.grantPermission(userId, { namespace: 'orders', action: 'read', resource: 'order:2' });
    if (c.fault) fake.fault(c.fault.fault, { endpoint: c.fault.endpoint });
    fake.resetCalls();
    const before = reached.count;
    try {
      const response = await fetch(`${app.url}/admin`, { headers: { authorization: `Bearer ${token}` } });
      const want = expected(c);
      const body = (await response.json()) as Record<string, any>;
      expect(response.status).toBe(want.status);
      expect(reached.count - before).toBe(want.status === 200 ? 1 : 0);
      if (want.status === 200) {
        expect(body.auth.authorization).toEqual({
          roles: [{ code: 'admin' }, { code: 'auditor', namespace: 'finance' }],
          permissions: { namespace: 'orders', action: 'read', resources: ['order:1', 'order:2'] },
          scopes: ['admin:write'],
          source: 'upstream',
        });
      } else {
        expect(body.error).toBe(want.error);
        expect(typeof body.message).toBe('string');
      }
      if (want.status === 403) {
        expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}", error="insufficient_scope"`);
      }
      if (want.status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      if (c.fault?.name === 'roles throttled' && want.status === 503) expect(response.headers.get('retry-after')).toBe('7');
      // One round trip: the session is always asked; the authorization calls only when the scopes are there.
      expect(fake.calls.check).toBe(1);
      expect(fake.calls.roles).toBe(c.scope ? 1 : 0);
      expect(fake.calls.permissions).toBe(c.scope ? 1 : 0);
    } finally {
      fake.clearFaults();
    }
  });
});
