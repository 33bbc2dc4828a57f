// The Hono adapter and the Web entry under Bun and Deno, from the BUILT package (dist/, reached through the
// package's own "exports": a self-reference), against the shipped fake GenAuth (a node:http server, which both
// runtimes run). Run by scripts/smoke-runtimes.sh:
//   npx bun scripts/smoke-hono.ts        npx deno run -A scripts/smoke-hono.ts
// The Hono app of examples/hono/app.ts on the runtime's own server: 200 with a live session, 401 without a token,
// a kick delivered by webhook -> 401 (GenAuth asked again), GenAuth unreachable -> 503 with Retry-After. Then the
// runtime's example server of examples/web/ (Bun.serve or Deno.serve): 200, 401, a kicked session 401, 503.
import { createFakeGenAuth } from 'genauth-session-guard/testing';
import { bearerJwt, createSessionGuard } from 'genauth-session-guard/hono';
import { buildApp } from '../examples/hono/app.ts';

declare const Bun: { serve(options: { port: number; hostname: string; fetch(request: Request): Response | Promise<Response> }): { port: number; stop(force?: boolean): Promise<void> } } | undefined;
declare const Deno: { serve(options: { port: number; hostname: string; onListen(): void }, handler: (request: Request) => Response | Promise<Response>): { addr: { port: number }; shutdown(): Promise<void> } } | undefined;
declare const process: { env: Record<string, string | undefined>; exit(code: number): never; versions: Record<string, string> };

const runtime = typeof Bun !== 'undefined' ? `bun ${process.versions.bun}` : typeof Deno !== 'undefined' ? `deno ${process.versions.deno}` : undefined;
if (!runtime) throw new Error('run me with bun or deno');
const APP = 'smoke-app';
const SECRET = 'smoke-webhook-secret';

function serve(handler: (request: Request) => Response | Promise<Response>): { url: string; stop(): Promise<void> } {
  if (typeof Bun !== 'undefined') {
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
    return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
  }
  const server = Deno!.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, handler);
  return { url: `http://127.0.0.1:${server.addr.port}`, stop: () => server.shutdown() };
}

function expect(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${runtime}: ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  console.log(`  ok ${runtime}: ${what}`);
}

async function answer(url: string, token?: string) {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await response.json() as Record<string, unknown>;
  return { status: response.status, body, retryAfter: response.headers.get('retry-after'), challenge: response.headers.get('www-authenticate') };
}

const fake = await createFakeGenAuth();
const guard = createSessionGuard({
  host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
  identity: bearerJwt({ issuer: fake.issuer, audience: APP }),
});
const hono = serve(buildApp(guard, APP, SECRET).fetch);
try {
  const me = `${hono.url}/admin/me`;
  fake.addWebhook({ url: `${hono.url}/hooks/genauth`, secret: SECRET });
  const alice = await fake.login('alice', APP);
  expect('Hono: a live session passes', await answer(me, alice), { status: 200, body: { userId: 'alice' }, retryAfter: null, challenge: null });
  expect('Hono: the second request is a cache hit', [(await answer(me, alice)).status, fake.calls.check], [200, 1]);
  const none = await answer(me);
  expect('Hono: no token is 401 missing_credentials', [none.status, none.body.error, none.challenge], [401, 'missing_credentials', `Bearer realm="${APP}"`]);
  fake.kick('alice');
  const deliveries = await fake.webhookDeliveries();
  expect('Hono: the kick webhook was answered 200', deliveries.map((delivery) => delivery.status), [200]);
  const kicked = await answer(me, alice);
  expect('Hono: a kicked user is 401 session_inactive (the webhook dropped the cached answer)', [kicked.status, kicked.body.error, fake.calls.check], [401, 'session_inactive', 2]);
  const bob = await fake.login('bob', APP);
  fake.fault({ kind: 'reset' });
  const down = await answer(me, bob);
  expect('Hono: GenAuth unreachable is 503 with Retry-After', [down.status, down.body.error, down.retryAfter], [503, 'session_check_unavailable', '1']);
  fake.clearFaults();

  // The runtime's own example server on genauth-session-guard/web, configured from the environment.
  Object.assign(process.env, {
    GENAUTH_APP_ID: APP, GENAUTH_ISSUER: fake.issuer, GENAUTH_HOST: fake.host,
    GENAUTH_ACCESS_KEY_ID: fake.accessKeyId, GENAUTH_ACCESS_KEY_SECRET: fake.accessKeySecret, PORT: '0',
  });
  const example = typeof Bun !== 'undefined' ? '../examples/web/bun-server.ts' : '../examples/web/deno-server.ts';
  const { server } = await import(example) as { server: { port?: number; addr?: { port: number } } };
  const url = `http://127.0.0.1:${server.port ?? server.addr!.port}/`;
  const carol = await fake.login('carol', APP);
  expect(`${example}: a live session passes`, await answer(url, carol), { status: 200, body: { userId: 'carol' }, retryAfter: null, challenge: null });
  expect(`${example}: no token is 401`, (await answer(url)).status, 401);
  const dave = await fake.login('dave', APP);
  fake.kick('dave');
  expect(`${example}: a kicked session is 401 session_inactive`, (await answer(url, dave)).body.error, 'session_inactive');
  fake.fault({ kind: 'reset' });
  const unreachable = await answer(url, await fake.login('erin', APP));
  expect(`${example}: GenAuth unreachable is 503`, [unreachable.status, unreachable.retryAfter], [503, '1']);
  console.log(`smoke-hono: ${runtime} passed`);
} catch (error) {
  console.error(error);
  process.exit(1);
} finally {
  await hono.stop();
  await guard.close();
  await fake.close();
}
// The example servers hold their guard and server open, as a real server does.
process.exit(0);
