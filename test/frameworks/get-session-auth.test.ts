import express from 'express';
import request from 'supertest';
import { createFakeGenAuth } from '../../src/testing';
import { createSessionGuard, getSessionAuth, header, requireActiveSession } from '../../src/index';

it('getSessionAuth(req) returns what the guard set even when another middleware overwrites req.auth', async () => {
  const fake = await createFakeGenAuth();
  const guard = createSessionGuard({
    host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: header('x-user-id'),
  });
  try {
    await fake.login('alice', 'app-1');
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
  } finally {
    await guard.close();
    await fake.close();
  }
});

it('getSessionAuth of a second copy of the package (ESM and CJS side by side) reads what the first copy set', async () => {
  let secondCopy: typeof import('../../src/index') | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    secondCopy = require('../../src/index') as typeof import('../../src/index');
  });
  expect(secondCopy).toBeDefined();
  expect(secondCopy!.getSessionAuth).not.toBe(getSessionAuth); // really another module instance
  const fake = await createFakeGenAuth();
  const guard = createSessionGuard({
    host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: header('x-user-id'),
  });
  try {
    await fake.login('alice', 'app-1');
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
  } finally {
    await guard.close();
    await fake.close();
  }
});

it('getSessionAuth answers undefined, never throws, for a value that is not a request', () => {
  for (const value of [undefined, null, 0, 'req', Symbol('req')]) {
    expect(getSessionAuth(value as never)).toBeUndefined();
  }
});
