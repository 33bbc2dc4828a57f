/**
 * Our guard asking GenAuth on every request: `cache: false`, `auth: 'signature'` (an HMAC-SHA1 signed request,
 * the scheme authing-node-sdk 4.x uses), identity from `header('x-user-id')`.
 */
import { createSessionGuard, header, requireActiveSession } from '../../src/index';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  auth: 'signature',
  cache: false,
  identity: header('x-user-id'),
});
await serve(buildApp(requireActiveSession(config.appId, { guard })), () => guard.close());
