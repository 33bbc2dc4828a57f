/**
 * Peer: the hand-written middleware people write today. The user id comes from the same `x-user-id` header as our
 * guard's, then authing-node-sdk 4.x's `ManagementClient.checkSessionStatus({ appId, userId })` on every request
 * (signed requests; axios on Node's global agent, which keeps connections alive on Node 20). One client per process.
 */
import { ManagementClient } from 'authing-node-sdk';
import type { RequestHandler } from 'express';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
const client = new ManagementClient({
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  host: config.host,
});

const requireSession: RequestHandler = async (req, res, next) => {
  const userId = req.get('x-user-id');
  if (!userId) {
    res.status(401).json({ error: 'missing_credentials' });
    return;
  }
  try {
    const answer = await client.checkSessionStatus({ appId: config.appId, userId });
    if (answer.statusCode === 200 && answer.data?.active === true) return next();
    res.status(401).json({ error: 'session_inactive' });
  } catch {
    res.status(503).json({ error: 'session_check_unavailable' });
  }
};
await serve(buildApp(requireSession));
