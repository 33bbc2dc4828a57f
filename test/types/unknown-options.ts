/**
 * Type-level checks (compiled by `tsc -p tsconfig.json`, never run): an object literal with an unknown key does not
 * type-check wherever the package takes options, so that a typo fails in the editor before it fails at runtime. Each
 * `@ts-expect-error` fails the type-check if its line stops being an error, i.e. if a signature widened (to
 * `Record<string, unknown>`, an index signature, `any`).
 */
import { bearerJwt, cookie, createGenAuthWebhookHandler, createSessionGuard, genauthWebhook, header, requireActiveSession } from '../../src/index';
import { requireActiveSession as requireKoa } from '../../src/koa';
import { redisStore } from '../../src/redis';
import type { RedisClientLike } from '../../src/redis';

const identity = header('x-user-id');
const guard = createSessionGuard({ identity });

// @ts-expect-error `role` is not a route option (`roles` is)
requireActiveSession('app-1', { guard, role: ['admin'] });
// @ts-expect-error `permission` is not a route option
requireKoa('app-1', { guard, permission: { namespace: 'n', action: 'a', resources: ['r'] } });
// @ts-expect-error `scope` is not a route option, with guard options either
requireActiveSession('app-1', { identity, scope: ['s'] });
// @ts-expect-error a role entry takes `code` and `namespace` only
requireActiveSession('app-1', { guard, roles: [{ code: 'auditor', namesapce: 'finance' }] });
requireActiveSession('app-1', { guard, roles: ['admin', { code: 'auditor', namespace: 'finance' }], scopes: ['s'] });

// @ts-expect-error `timeout` is not a guard option (`timeoutMs` is)
createSessionGuard({ identity, timeout: 100 });
// @ts-expect-error `ttl` is not a cache option (`ttlMs` is)
createSessionGuard({ identity, cache: { ttl: 1_000 } });
// @ts-expect-error `cooldown` is not a circuit breaker option
createSessionGuard({ identity, circuitBreaker: { cooldown: 1_000 } });

const req = { headers: {} };
// @ts-expect-error `role` is not an authenticate option
void guard.authenticate(req, 'app-1', { role: ['admin'] });
// @ts-expect-error `appid` is not a checkRoles option
void guard.checkRoles('u1', ['admin'], { appid: 'app-1' });

// @ts-expect-error `requiredClaim` is not a bearerJwt option
bearerJwt({ secret: 's', audience: 'a', requiredClaim: ['exp'] });
// @ts-expect-error `maxLen` is not a cookie option
cookie('uid', { maxLen: 64 });
// @ts-expect-error `maxLenght` is not a header option
header('x-user-id', { maxLenght: 64 });

declare const client: RedisClientLike;
// @ts-expect-error `timeout` is not a redisStore option
redisStore({ client, timeout: 100 });
// @ts-expect-error `maxBody` is not a webhook option
genauthWebhook({ guard, secret: 's', maxBody: 1 });
// @ts-expect-error `maxBody` is not a webhook option
createGenAuthWebhookHandler({ guard, secret: 's', maxBody: 1 });

// @ts-expect-error a guard option beside `guard` would not apply to that guard
requireActiveSession('app-1', { guard, cache: { ttlMs: 1_000 } });
// @ts-expect-error the same in Koa
requireKoa('app-1', { guard, timeoutMs: 100 });
