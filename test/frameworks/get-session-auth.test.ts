import express from 'express';
import request from 'supertest';
import { createFakeGenAuth } from '../../src/testing';
import { createSessionGuard, getSessionAuth, header, requireActiveSession, type SessionGuard } from '../../src/index';

/** A fake GenAuth where alice holds a session in app-1, and a guard reading the user id from `x-user-id`. */
async function withAliceSignedIn(body: (guard: SessionGuard) => Promise<void>): Promise<void> {
  const fake = await createFakeGenAuth();
  const guard = createSessionGuard({
    host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: header('x-user-id'),
  });
  try {
    await fake.login('alice', 'app-1');
    await body(guard);
  } finally {
    await guard.close();
    await fake.close();
  }
}

it('getSessionAuth(req) returns what the guard set even when another middleware overwrites req.auth', async () => {
  await withAliceSignedIn(async (guard) => {
    const app = express();
    app.get(
      '/admin',
      requireActiveSession('app-1', { guard }),
      (req, _res, next) => {
        (req as { auth?: unknown }).auth = { payload: { sub: 'someone-else' } }; // as a JWT-only middleware would
        next();
      },
      (req, res) => {
        res.json({ userId: getSessionAuth(req)?.userId, source: getSessionAuth(req)?.session.source });
      },
    );
    const response = await request(app).get('/admin').set('x-user-id', 'alice');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ userId: 'alice', source: 'upstream' });
  });
});

it('getSessionAuth of a second copy of the package (ESM and CJS side by side) reads what the first copy set', async () => {
  let secondCopy: typeof import('../../src/index') | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    secondCopy = require('../../src/index') as typeof import('../../src/index');
  });
  expect(secondCopy).toBeDefined();
  expect(secondCopy!.getSessionAuth).not.toBe(getSessionAuth); // really another module instance
  await withAliceSignedIn(async (guard) => {
    const app = express();
    app.get('/admin', requireActiveSession('app-1', { guard }), (req, res) => {
      res.json({ first: getSessionAuth(req)?.userId ?? null, second: secondCopy!.getSessionAuth(req)?.userId ?? null });
    });
    app.get('/open', (req, res) => {
      res.json({ first: getSessionAuth(req) ?? null, second: secondCopy!.getSessionAuth(req) ?? null });
    });
    const passed = await request(app).get('/admin').set('x-user-id', 'alice');
    expect(passed.body).toEqual({ first: 'alice', second: 'alice' });
    // A request the guard never saw has nothing, in either copy.
    const open = await request(app).get('/open');
    expect(open.body).toEqual({ first: null, second: null });
  });
});

it('getSessionAuth answers undefined, never throws, for a value that is not a request', () => {
  for (const value of [undefined, null, 0, 'req', Symbol('req')]) {
    expect(getSessionAuth(value as never)).toBeUndefined();
  }
});
