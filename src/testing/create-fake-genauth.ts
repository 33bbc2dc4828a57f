import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizationStore } from './authorization';
import { FaultRegistry } from './fault-registry';
import { ManagementTokens } from './management-tokens';
import { accessTokenClaims, OidcKeys } from './oidc-keys';
import { createRequestHandler, type ServerContext } from './request-handler';
import { SessionStore } from './sessions';
import { SignatureVerifier } from './signature-check';
import { Timers } from './timers';
import { emitKick } from './handlers';
import { DEFAULT_NAMESPACE } from './authorization';
import { WebhookDeliveries } from './webhooks';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import {
  ADD_WEBHOOK_OPTION_KEYS,
  FAKE_GENAUTH_OPTION_KEYS,
  FAULT_OPTION_KEYS,
  LOGIN_OPTION_KEYS,
  SIGN_TOKEN_OPTION_KEYS,
  type FakeGenAuth,
  type FakeGenAuthCalls,
  type FakeGenAuthOptions,
  type PermissionGrant,
} from './types';

const WEBHOOK_FAULT_OPTION_KEYS = { times: true } as const satisfies OptionKeys<NonNullable<Parameters<FakeGenAuth['webhookFault']>[1]>>;

/** An options object of the fake's, when given: any key it does not take is a `TypeError`. */
function checkKeys(options: unknown, known: Readonly<Record<string, true>>, where: string): void {
  if (typeof options === 'object' && options !== null) assertKnownKeys(options, known, where);
}

function requireString(name: string, value: string | undefined, fallback: string): string {
  const result = value ?? fallback;
  if (typeof result !== 'string' || result.length === 0) throw new TypeError(`createFakeGenAuth: ${name} must be a non-empty string`);
  return result;
}

function requirePositive(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (typeof result !== 'number' || !Number.isFinite(result) || result <= 0) {
    throw new TypeError(`createFakeGenAuth: ${name} must be a positive number`);
  }
  return result;
}

function checkGrant(grant: PermissionGrant): void {
  for (const field of ['namespace', 'action', 'resource'] as const) requireString(`grant.${field}`, grant?.[field], '');
}

/**
 * The data of `role:assigned` / `role:unassigned`. GenAuth's docs name these events but not their fields: the fake
 * sends the user as `kick` does (`users: [{ userId, id }]`) and the role as `role: { code, namespace }`.
 */
function roleEventData(userId: string, code: string, namespace: string | undefined) {
  return { users: [{ userId, id: userId }], role: { code, namespace: namespace ?? DEFAULT_NAMESPACE } };
}

/**
 * The data of `permission:add` / `permission:revoke`, with the documented fields (`policyCodes`, `targetType`,
 * `targetIdentifiers`, `namespace`): the target is the user; the policy code is the fake's own `<action>:<resource>`.
 */
function permissionEventData(userId: string, grant: PermissionGrant) {
  return { policyCodes: [`${grant.action}:${grant.resource}`], targetType: 'USER', targetIdentifiers: [userId], namespace: grant.namespace };
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function zeroCalls(calls: FakeGenAuthCalls): void {
  calls.token = 0;
  calls.check = 0;
  calls.kick = 0;
  calls.webhook = 0;
  calls.roles = 0;
  calls.permissions = 0;
  calls.jwks = 0;
  calls.discovery = 0;
  calls.refused = 0;
}

/**
 * Starts a fake GenAuth server on `127.0.0.1` (a free port) that speaks the management API this package uses
 * (`get-management-token`, `check-session-status`, `kick-users`, `has-any-role`, `check-permission`, with both authentication schemes checked for real)
 * and serves OIDC discovery and a JWKS, so that user tokens from {@link FakeGenAuth.login} verify. Faults can be
 * injected to test how a client copes with a misbehaving GenAuth. Call {@link FakeGenAuth.close} when done.
 *
 * @example
 * ```ts
 * import { createFakeGenAuth } from 'genauth-session-guard/testing';
 *
 * const genauth = await createFakeGenAuth();
 * const token = await genauth.login('user-1', 'app-1'); // RS256 access token, live session
 * // point your app at genauth.host / genauth.issuer / genauth.jwksUri with
 * // genauth.accessKeyId, genauth.accessKeySecret and genauth.userPoolId, then:
 * genauth.kick('user-1');                                // check-session-status now answers active: false
 * genauth.fault({ kind: 'http-status', status: 502, html: true }, { times: 1 });
 * await genauth.close();
 * ```
 */
export async function createFakeGenAuth(options: FakeGenAuthOptions = {}): Promise<FakeGenAuth> {
  checkKeys(options, FAKE_GENAUTH_OPTION_KEYS, 'createFakeGenAuth options');
  const accessKeyId = requireString('accessKeyId', options.accessKeyId, 'fake-access-key-id');
  const accessKeySecret = requireString('accessKeySecret', options.accessKeySecret, 'fake-access-key-secret');
  const userPoolId = requireString('userPoolId', options.userPoolId, 'fake-user-pool');
  const tokenLifetimeSec = requirePositive('tokenLifetimeSec', options.tokenLifetimeSec, 3600);
  const signatureSkewMs = requirePositive('signatureSkewMs', options.signatureSkewMs, 15 * 60 * 1000);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createFakeGenAuth: clock must be a function');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError('createFakeGenAuth: port must be a whole number from 0 to 65535');
  const apps = options.apps;
  if (apps !== undefined && !(Array.isArray(apps) && apps.every((app) => typeof app === 'string' && app !== ''))) {
    throw new TypeError('createFakeGenAuth: apps must be an array of non-empty strings');
  }

  const calls: FakeGenAuthCalls = { token: 0, check: 0, kick: 0, webhook: 0, roles: 0, permissions: 0, jwks: 0, discovery: 0, refused: 0 };
  const timers = new Timers();
  const webhooks = new WebhookDeliveries(userPoolId, timers);
  const ctx: ServerContext = {
    accessKeyId,
    accessKeySecret,
    userPoolId,
    calls,
    sessions: new SessionStore(apps),
    authorization: new AuthorizationStore(),
    tokens: new ManagementTokens(userPoolId, tokenLifetimeSec, clock),
    signatures: new SignatureVerifier(accessKeyId, accessKeySecret, clock, signatureSkewMs),
    keys: await OidcKeys.generate(),
    faults: new FaultRegistry(),
    timers,
    webhooks,
    urls: { issuer: '', jwksUri: '' },
  };

  const server = createServer(createRequestHandler(ctx));
  const address = await listen(server, port);
  const host = `http://127.0.0.1:${address.port}`;
  const issuer = `${host}/oidc`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  ctx.urls.issuer = issuer;
  ctx.urls.jwksUri = jwksUri;

  let closing: Promise<void> | undefined;

  return {
    host,
    issuer,
    jwksUri,
    accessKeyId,
    accessKeySecret,
    userPoolId,
    calls,
    async login(userId, appId, loginOptions = {}) {
      checkKeys(loginOptions, LOGIN_OPTION_KEYS, 'login options');
      ctx.sessions.login(userId, appId);
      const claims = { ...accessTokenClaims(issuer, userId, appId), ...loginOptions.claims };
      return ctx.keys.sign(claims, clock(), { expiresInSec: loginOptions.expiresInSec ?? 3600 });
    },
    startSession(userId, appId) {
      ctx.sessions.login(userId, appId);
    },
    async signToken(claims, signOptions) {
      checkKeys(signOptions, SIGN_TOKEN_OPTION_KEYS, 'signToken options');
      return ctx.keys.sign(claims, clock(), signOptions);
    },
    addUser(userId) {
      ctx.sessions.addUser(userId);
    },
    kick(userId, appIds) {
      ctx.sessions.kick(userId, appIds);
      emitKick(webhooks, userId, appIds);
    },
    blockUser(userId) {
      ctx.sessions.kick(userId);
      webhooks.emit('user:blocked', { users: [{ userId, id: userId }] });
    },
    deleteUser(userId) {
      ctx.sessions.deleteUser(userId);
      webhooks.emit('user:deleted', { users: [{ userId, id: userId }] });
    },
    addWebhook(webhook) {
      checkKeys(webhook, ADD_WEBHOOK_OPTION_KEYS, 'addWebhook options');
      if (typeof webhook?.url !== 'string' || !/^https?:\/\//.test(webhook.url)) throw new TypeError('addWebhook: url must be an http(s) URL');
      return webhooks.add({
        name: webhook.name ?? 'webhook',
        url: webhook.url,
        events: webhook.events ?? ['*'],
        contentType: webhook.contentType ?? 'application/json',
        enabled: true,
        secret: webhook.secret,
      });
    },
    emitWebhook(eventName, data = {}) {
      webhooks.emit(eventName, data);
    },
    webhookFault(fault, faultOptions) {
      checkKeys(faultOptions, WEBHOOK_FAULT_OPTION_KEYS, 'webhookFault options');
      webhooks.fault(fault, faultOptions?.times ?? Number.POSITIVE_INFINITY);
    },
    clearWebhookFaults() {
      webhooks.clearFaults();
    },
    webhookDeliveries() {
      return webhooks.settled();
    },
    logout(userId, appId) {
      ctx.sessions.logout(userId, appId);
    },
    isActive(userId, appId) {
      return ctx.sessions.isActive(userId, appId);
    },
    assignRole(userId, code, namespace) {
      requireString('assignRole code', code, '');
      ctx.sessions.addUser(userId);
      ctx.authorization.assignRole(userId, code, namespace);
      webhooks.emit('role:assigned', roleEventData(userId, code, namespace));
    },
    revokeRole(userId, code, namespace) {
      ctx.authorization.revokeRole(userId, code, namespace);
      webhooks.emit('role:unassigned', roleEventData(userId, code, namespace));
    },
    grantPermission(userId, grant) {
      checkGrant(grant);
      ctx.sessions.addUser(userId);
      ctx.authorization.grant(userId, grant.namespace, grant.action, grant.resource);
      webhooks.emit('permission:add', permissionEventData(userId, grant));
    },
    revokePermission(userId, grant) {
      checkGrant(grant);
      ctx.authorization.revoke(userId, grant.namespace, grant.action, grant.resource);
      webhooks.emit('permission:revoke', permissionEventData(userId, grant));
    },
    fault(fault, faultOptions) {
      checkKeys(faultOptions, FAULT_OPTION_KEYS, 'fault options');
      ctx.faults.add(fault, faultOptions);
    },
    clearFaults() {
      ctx.faults.clear();
    },
    expireManagementTokens() {
      ctx.tokens.revokeAll();
    },
    resetCalls() {
      zeroCalls(calls);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        ctx.timers.clearAll();
        ctx.faults.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
