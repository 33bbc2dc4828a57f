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
