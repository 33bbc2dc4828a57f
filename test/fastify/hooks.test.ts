import { request as httpRequest } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { requireActiveSession, sessionGuard, type FastifyRejectHandler, type SessionGuardHook } from '../../src/fastify';
import { listenFastify, type RunningApp } from '../support/frameworks';
import { APP, world, type World } from './support';

let w: World;
let app: FastifyInstance;
let running: RunningApp | undefined;

beforeEach(async () => {
  w = await world();
  await w.fake.login('alice', APP);
  app = Fastify();
  await app.register(sessionGuard, { guard: w.guard });
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await w.close();
});

async function post(path: string, headers: Record<string, string>) {
  running ??= await listenFastify(app);
  return fetch(`${running.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-counted', ...headers }, body: 'payload' });
}

describe('onRequest, preValidation and preHandler', () => {
  /** A content-type parser that counts the bodies Fastify read: an onRequest refusal reads none. */
  let parsed: number;
  let reached: number;
  beforeEach(() => {
    parsed = 0;
    reached = 0;
    app.addContentTypeParser('application/x-counted', { parseAs: 'string' }, (_request, body, done) => {
      parsed++;
      done(null, body);
    });
  });

  it.each(['onRequest', 'preValidation', 'preHandler'] as const)('%s: passes with request.auth set, refuses without running the handler', async (stage) => {
    app.post('/admin', { [stage]: requireActiveSession(APP) }, async (request) => {
      reached++;
      return { userId: request.auth?.userId, body: request.body };
    });
    const passed = await post('/admin', { 'x-user-id': 'alice' });
    expect(passed.status).toBe(200);
    expect(await passed.json()).toEqual({ userId: 'alice', body: 'payload' });
    const refused = await post('/admin', {});
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'missing_credentials', message: expect.any(String) });
    expect(reached).toBe(1);
    // onRequest runs before the body is read: a refused request's body is never parsed.
    expect(parsed).toBe(stage === 'onRequest' ? 1 : 2);
  });

  it('with addHook for the whole app, and beside other hooks of the same stage (run in order)', async () => {
    const order: string[] = [];
    app.addHook('preHandler', async () => { order.push('first'); });
    app.addHook('preHandler', requireActiveSession(APP));
    app.addHook('preHandler', (request, _reply, done) => {
      order.push(`after guard: ${request.auth?.userId}`);
      done();
    });
    app.post('/admin', async () => 'ok');
    expect((await post('/admin', { 'x-user-id': 'alice' })).status).toBe(200);
    expect((await post('/admin', {})).status).toBe(401);
    expect(order).toEqual(['first', 'after guard: alice', 'first']);
  });
});

it('a cache hit calls done() synchronously; a miss calls it later', async () => {
  const guard = requireActiveSession(APP);
  const seen: string[] = [];
  // The guard called by hand from a hook of the real app, on the real request and reply.
  const probe = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    let synchronous = true;
    guard(request, reply, (error?: unknown) => {
      seen.push(synchronous ? 'sync' : 'async');
      done(error as Error | undefined);
    });
    synchronous = false;
  };
  app.get('/admin', { onRequest: probe }, async () => 'ok');
  running = await listenFastify(app);
  for (let i = 0; i < 3; i++) expect((await fetch(`${running.url}/admin`, { headers: { 'x-user-id': 'alice' } })).status).toBe(200);
  expect(seen).toEqual(['async', 'sync', 'sync']);
  expect(w.guard.stats()).toMatchObject({ misses: 1, hits: 2 });
});

it('an Authorization header sent twice is refused (the raw request, with rawHeaders, is what is checked)', async () => {
  const { bearerJwt, createSessionGuard } = await import('../../src/index');
  const guard = createSessionGuard({
    host: w.fake.host, accessKeyId: w.fake.accessKeyId, accessKeySecret: w.fake.accessKeySecret, retries: 0,
    identity: bearerJwt({ issuer: w.fake.issuer, audience: APP }),
  });
  try {
    app.get('/admin', { onRequest: requireActiveSession(APP, { guard }) }, async () => 'ok');
    running = await listenFastify(app);
    const token = await w.fake.login('alice', APP);
    const url = new URL(`${running.url}/admin`);
    const status = (headers: string[]) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: ['host', url.host, ...headers] }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject).end();
    });
    expect((await status(['authorization', `Bearer ${token}`])).status).toBe(200);
    const twice = await status(['authorization', `Bearer ${token}`, 'authorization', `Bearer ${token}`]);
    expect(twice.status).toBe(401);
    expect(JSON.parse(twice.body)).toEqual({ error: 'invalid_token', message: 'The authorization header was sent more than once.' });
  } finally {
    await guard.close();
  }
});

describe('onReject', () => {
  let reached: number;
  let errors: unknown[];
  beforeEach(() => {
    reached = 0;
    errors = [];
    app.setErrorHandler((error, _request, reply) => {
      errors.push(error);
      return reply.code(500).send({ appError: true });
    });
  });
  async function start(hook: SessionGuardHook) {
    app.get('/admin', { onRequest: hook }, async () => {
      reached++;
      return 'reached';
    });
    running = await listenFastify(app);
    return fetch(`${running.url}/admin`, { signal: AbortSignal.timeout(5_000) }); // a request left unanswered fails here
  }

  it('none, behind an async onSend hook (compression, etags): the refusal stops the chain while it is being sent', async () => {
    // reply.sent is still false while the onSend hook runs: a hook that called done() after answering would run the handler.
    app.addHook('onSend', async (_request, _reply, payload) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return payload;
    });
    const response = await start(requireActiveSession(APP));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'missing_credentials', message: expect.any(String) });
    expect(reached).toBe(0);
    expect(errors).toEqual([]);
  });

  it('that forgets to answer: the default answer is sent, the handler never runs', async () => {
    const seen: string[] = [];
    const response = await start(requireActiveSession(APP, { onReject: (error) => { seen.push(error.code); } }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}"`);
    expect(await response.json()).toEqual({ error: 'missing_credentials', message: expect.any(String) });
    expect(seen).toEqual(['missing_credentials']);
    expect(reached).toBe(0);
  });

  it('async, that forgets to answer: the default answer too', async () => {
    const response = await start(requireActiveSession(APP, { onReject: async () => undefined }));
    expect(response.status).toBe(401);
    expect(reached).toBe(0);
  });

  it.each([
    ['synchronous, returning reply', ((error, _request, reply) => reply.code(418).send({ custom: error.code })) as FastifyRejectHandler],
    ['async, answering later and returning reply', (async (error, _request, reply) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return reply.code(418).send({ custom: error.code });
    }) as FastifyRejectHandler],
  ])('%s, behind an async onSend hook: its answer, once', async (_label, onReject) => {
    const sends: number[] = [];
    app.addHook('onSend', async (_request, reply, payload) => {
      sends.push(reply.statusCode);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return payload;
    });
    const response = await start(requireActiveSession(APP, { onReject }));
    expect(response.status).toBe(418);
    expect(await response.json()).toEqual({ custom: 'missing_credentials' });
    expect(sends).toEqual([418]);
    expect(reached).toBe(0);
    expect(errors).toEqual([]);
  });

  it('that throws the refusal: Fastify’s error handler gets it (status and headers are on the error for a handler that reads them)', async () => {
    const response = await start(requireActiveSession(APP, { onReject: (error) => { throw error; } }));
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'missing_credentials', status: 401, headers: { 'www-authenticate': `Bearer realm="${APP}"` } });
    expect(reached).toBe(0);
  });
});

it("Fastify's default error handler answers a thrown refusal with its status and headers", async () => {
  app.get('/admin', { onRequest: requireActiveSession(APP, { onReject: (error) => { throw error; } }) }, async () => 'reached');
  running = await listenFastify(app);
  const response = await fetch(`${running.url}/admin`);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}"`);
});
