/**
 * Our guard on a role-protected route (issue 11): `header('x-user-id')` identity as guard-header, and the route
 * option `roles: ['admin']` (GenAuth has-any-role, cached apart from the session answer). Load: one admin user, so
 * both the session and the role answer come from the cache.
 */
import { createSessionGuard, header, requireActiveSession } from '../../src/index';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: header('x-user-id'),
});
await serve(buildApp(requireActiveSession(config.appId, { guard, roles: ['admin'] })), () => guard.close());
