/**
 * `npm run demo`: a scripted walkthrough of genauth-session-guard on the embedded fake GenAuth (no account needed).
 * It checks itself: any step whose status is not the expected one makes it exit 1.
 *
 * With GENAUTH_ACCESS_KEY_ID, GENAUTH_ACCESS_KEY_SECRET, GENAUTH_ISSUER and GENAUTH_APP_ID set (GENAUTH_HOST
 * optional), it starts the same admin app against your tenant instead and prints how to call it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { bearerJwt, createSessionGuard, genauthWebhook, getSessionAuth, requireActiveSession, type SessionGuard } from '../src/index';
import { createFakeGenAuth, type FakeGenAuth } from '../src/testing';

/** The admin app: every /admin route needs a live GenAuth session in `appId`; /admin/settings also the role `admin`. */
function adminApp(appId: string, guard: SessionGuard): express.Express {
  const app = express();
  app.get('/admin', requireActiveSession(appId, { guard }), (req, res) => {
    const auth = getSessionAuth(req)!;
    res.json({ hello: auth.userId, auth });
  });
  // Asked of GenAuth (has-any-role) together with the session, cached per (app, user, roles) like session answers.
  app.get('/admin/settings', requireActiveSession(appId, { guard, roles: ['admin'] }), (req, res) => {
    res.json({ settings: 'only for admins', auth: getSessionAuth(req) });
  });
  return app;
}

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Instant revocation: ttlMs is 5 minutes, and GenAuth's `kick` webhook drops the cached answer at once. Returns
 * whether every step answered as expected.
 */
async function webhookSection(fake: FakeGenAuth, appId: string): Promise<boolean> {
  const secret = 'demo-webhook-secret';
  const guard = createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    identity: bearerJwt({ issuer: fake.issuer, audience: appId }),
    cache: { ttlMs: 5 * 60_000 }, // the backstop for a lost delivery, not the revocation delay
  });
  const app = adminApp(appId, guard);
  app.post('/hooks/genauth', genauthWebhook({ guard, secret }));
  const server = await listen(app, 0, '127.0.0.1');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    fake.addWebhook({ url: `${base}/hooks/genauth`, secret, events: ['kick'] });
    const dave = await fake.login('dave', appId);
    const get = async () => (await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${dave}` } })).status;
    console.log(`
A second app: cache.ttlMs is 5 minutes, and a GenAuth webhook (event kick) is registered at ${base}/hooks/genauth.`);
    const before = await get();
    console.log(`   dave calls the admin route -> ${before}${before === 200 ? ' (as expected)' : ' (EXPECTED 200)'}`);
    fake.kick('dave');
    const deliveries = await fake.webhookDeliveries();
    console.log(`   an administrator kicks dave; GenAuth posts the kick to the webhook -> ${deliveries.map((d) => d.status).join(', ')}`);
    const after = await get();
    console.log(`   dave, at once (not 5 minutes later) -> ${after}${after === 401 ? ' (as expected)' : ' (EXPECTED 401)'}`);
    return before === 200 && after === 401 && deliveries.length === 1 && deliveries[0]!.status === 200;
  } finally {
    await stop(server);
    await guard.close();
  }
}

const REAL_TENANT_VARS = ['GENAUTH_ACCESS_KEY_ID', 'GENAUTH_ACCESS_KEY_SECRET', 'GENAUTH_ISSUER', 'GENAUTH_APP_ID'] as const;

async function realTenant(): Promise<void> {
  const missing = REAL_TENANT_VARS.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`Real-tenant mode needs ${REAL_TENANT_VARS.join(', ')}; missing: ${missing.join(', ')}.`);
    console.error('Unset them all to run the walkthrough on the embedded fake instead.');
    process.exit(1);
  }
  const appId = process.env.GENAUTH_APP_ID!;
  // accessKeyId, accessKeySecret and host come from GENAUTH_ACCESS_KEY_ID, _SECRET and GENAUTH_HOST.
  const guard = createSessionGuard({ identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }) });
  const port = Number(process.env.PORT ?? 3000);
  const server = await listen(adminApp(appId, guard), port, '127.0.0.1');
  const { port: actual } = server.address() as AddressInfo;
  console.log(`Admin app guarded by GenAuth app ${appId} (${process.env.GENAUTH_HOST ?? 'https://api.genauth.ai'})`);
  console.log(`listening on http://127.0.0.1:${actual}. Call it with the access token of a user signed in to the app:\n`);
  console.log(`  curl -i http://127.0.0.1:${actual}/admin -H "Authorization: Bearer $ACCESS_TOKEN"\n`);
  console.log('200 while the session is live; 401 session_inactive within 5 s of a logout or kick; Ctrl+C to stop.');
  const shutdown = async () => {
    await stop(server);
    await guard.close();
    console.log('\nstats:', guard.stats());
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

async function walkthrough(): Promise<boolean> {
  const appId = 'demo-admin-app';
  const fake = await createFakeGenAuth();
  const guard = createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    identity: bearerJwt({ issuer: fake.issuer, audience: appId }),
    cache: { ttlMs: 5_000 }, // the default, spelled out: a kicked user keeps access for at most 5 s
  });
  const server = await listen(adminApp(appId, guard), 0, '127.0.0.1');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${base}/admin`;
  let ok = true;
  let step = 0;

  /** One request, printed, and checked against the expected status (and `error` code for refusals). */
  async function request(title: string, token: string | undefined, expected: number, expectedError?: string, path = '/admin'): Promise<void> {
    step++;
    const checksBefore = fake.calls.check;
    const rolesBefore = fake.calls.roles;
    const response = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = (await response.json()) as Record<string, any>;
    const passed = response.status === expected && body.error === expectedError &&
      (expected !== 503 || response.headers.has('retry-after'));
    ok &&= passed;
    const wanted = `${expected}${expectedError ? ` ${expectedError}` : ''}`;
    console.log(`\n${step}. ${title}`);
    console.log(`   GET ${path} -> ${response.status} ${passed ? '(as expected)' : `(EXPECTED ${wanted})`}`);
    if (response.status === 200) {
      const { userId, session, claims } = body.auth;
      console.log(`   req.auth: userId=${userId} session.source=${session.source} checkedAt=${new Date(session.checkedAt).toISOString()} scope="${claims?.scope}"`);
      if (body.auth.authorization) console.log(`   req.auth.authorization: ${JSON.stringify(body.auth.authorization)}`);
    } else {
      console.log(`   body: ${JSON.stringify(body)}`);
      for (const name of ['www-authenticate', 'retry-after']) {
        const value = response.headers.get(name);
        if (value) console.log(`   ${name}: ${value}`);
      }
    }
    console.log(`   check-session-status calls made to GenAuth: ${fake.calls.check - checksBefore}` +
      (path === '/admin' ? '' : `, has-any-role calls: ${fake.calls.roles - rolesBefore}`));
  }

  try {
    console.log(`genauth-session-guard demo: an Express admin app on ${url}, guarded against a fake GenAuth on ${fake.host}`);

    const alice = await fake.login('alice', appId);
    console.log('\nalice signs in to the app at GenAuth and gets an RS256 access token (aud = app id).');
    await request('alice calls the admin route: her token verifies and GenAuth confirms her session', alice, 200);
    await request('alice again: answered from the cache, GenAuth is not asked', alice, 200);

    fake.kick('alice');
    console.log(`\nAn administrator kicks alice at GenAuth (GenAuth now says active: ${fake.isActive('alice', appId)}). Her JWT still verifies.`);
    await request('alice, right after the kick: the cached answer (under 5 s old) still lets her in - this is the revocation delay, at most cache.ttlMs', alice, 200);

    const dropped = guard.invalidate('alice');
    console.log(`\nThe app calls guard.invalidate('alice') (dropped ${dropped} cached answer) - do this wherever your app kicks users itself.`);
    await request('alice after invalidate: GenAuth is asked again and says the session is over', alice, 401, 'session_inactive');

    await request('a request with no token', undefined, 401, 'missing_credentials');

    const carol = await fake.login('carol', appId);
    step++;
    const checksBefore = fake.calls.check;
    const burst = await Promise.all(Array.from({ length: 50 }, () => fetch(url, { headers: { authorization: `Bearer ${carol}` } })));
    const allPassed = burst.every((response) => response.status === 200);
    const calls = fake.calls.check - checksBefore;
    ok &&= allPassed && calls === 1;
    console.log(`\n${step}. carol signs in and sends 50 requests at once: one GenAuth call serves them all (concurrent lookups are coalesced, later ones hit the cache)`);
    console.log(`   50 x GET /admin -> ${allPassed ? 'all 200' : 'NOT ALL 200'}; check-session-status calls made to GenAuth: ${calls}${calls === 1 ? '' : ' (EXPECTED 1)'}`);

    const dave = await fake.login('dave', appId);
    const erin = await fake.login('erin', appId);
    fake.assignRole('dave', 'admin');
    fake.assignRole('erin', 'clerk');
    console.log('\ndave (role admin) and erin (role clerk) sign in. /admin/settings requires the role admin.');
    await request('dave calls /admin/settings: session and role asked of GenAuth at once, both confirmed', dave, 200, undefined, '/admin/settings');
    await request('erin calls /admin/settings: a live session, but not an admin: 403', erin, 403, 'insufficient_permission', '/admin/settings');
    fake.kick('dave');
    guard.invalidate('dave');
    console.log('\ndave is kicked at GenAuth and the app calls guard.invalidate(\'dave\') (session and role answers dropped).');
    await request('dave after the kick: 401 (a kicked admin sees 401, not 403)', dave, 401, 'session_inactive', '/admin/settings');

    const bob = await fake.login('bob', appId);
    fake.fault({ kind: 'http-status', status: 503 });
    console.log('\nGenAuth goes down (every check-session-status now answers HTTP 503). bob signs in; nothing is cached for him.');
    await request('bob during the outage: the guard fails closed (one retry, then 503 with Retry-After); errors are never cached', bob, 503, 'session_check_unavailable');
    fake.clearFaults();
    console.log('\nGenAuth is back.');
    await request('bob again: asked afresh and let in', bob, 200);

    ok = (await webhookSection(fake, appId)) && ok;

    console.log('\nguard.stats() (a call and its retry count as one upstream call):', guard.stats());
    console.log('fake GenAuth calls:', { ...fake.calls });
  } finally {
    await stop(server);
    await guard.close();
    await fake.close();
  }
  console.log(ok ? '\nDemo finished: every step answered as expected.' : '\nDemo FAILED: a step did not answer as expected (see above).');
  return ok;
}

if (REAL_TENANT_VARS.some((name) => process.env[name])) {
  await realTenant();
} else {
  const ok = await walkthrough();
  process.exitCode = ok ? 0 : 1;
}
