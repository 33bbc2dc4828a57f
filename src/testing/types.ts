import type { OptionKeys } from '../core/known-options';
import type { FakeWebhook, WebhookDelivery, WebhookFault } from './webhooks';

export type { FakeWebhook, WebhookDelivery, WebhookFault } from './webhooks';

/** Options of {@link FakeGenAuth.addWebhook}. */
export interface AddWebhookOptions {
  url: string;
  /** Sent back verbatim in the delivery headers. */
  secret?: string;
  /** @default ['*'] (every event) */
  events?: string[];
  /** @default 'application/json' */
  contentType?: 'application/json' | 'application/x-www-form-urlencoded';
  /** @default 'webhook' */
  name?: string;
}

/** @internal */
export const ADD_WEBHOOK_OPTION_KEYS = { url: true, secret: true, events: true, contentType: true, name: true } as const satisfies OptionKeys<AddWebhookOptions>;

/** Options of {@link createFakeGenAuth}. Every field is optional; any other key rejects with a `TypeError`. */
export interface FakeGenAuthOptions {
  /**
   * The access key id the fake accepts (token request and request signature).
   * @default 'fake-access-key-id'
   */
  accessKeyId?: string;
  /**
   * The access key secret the fake accepts.
   * @default 'fake-access-key-secret'
   */
  accessKeySecret?: string;
  /**
   * The user pool id: carried as `scoped_userpool_id` in management tokens and expected in `x-authing-userpool-id`.
   * @default 'fake-user-pool'
   */
  userPoolId?: string;
  /**
   * Lifetime of the management tokens the fake issues (`expires_in`, seconds).
   * @default 3600
   */
  tokenLifetimeSec?: number;
  /**
   * The fake's clock, milliseconds since the epoch. Drives management token expiry, the `iat`/`exp` of user tokens
   * and the clock-skew check of signed requests.
   * @default Date.now
   */
  clock?: () => number;
  /**
   * The largest difference allowed between a signed request's `date` header and the fake's clock, in milliseconds.
   * @default 900000 (15 minutes)
   */
  signatureSkewMs?: number;
  /**
   * The applications that exist. When given, check-session-status for any other `appId` answers `statusCode` 404,
   * `apiCode` 2011 (application not found), as GenAuth does; {@link FakeGenAuth.login} adds its application.
   * @default every application id exists
   */
  apps?: readonly string[];
  /**
   * The port to listen on, on 127.0.0.1 (`npx genauth-session-guard fake --port`). 0 picks a free one.
   * @default 0
   */
  port?: number;
}

/** @internal */
export const FAKE_GENAUTH_OPTION_KEYS = {
  accessKeyId: true,
  accessKeySecret: true,
  userPoolId: true,
  tokenLifetimeSec: true,
  clock: true,
  signatureSkewMs: true,
  apps: true,
  port: true,
} as const satisfies OptionKeys<FakeGenAuthOptions>;

/** The endpoints of the fake, as named by {@link FakeGenAuth.calls} and {@link FaultOptions.endpoint}. */
export type FakeEndpoint = 'check' | 'token' | 'kick' | 'webhook' | 'roles' | 'permissions' | 'jwks' | 'discovery';

/**
 * A misbehaviour the fake can be told to show (see {@link FakeGenAuth.fault}).
 *
 * - `latency`: waits `ms`, then answers normally.
 * - `http-status`: answers with that HTTP status; a JSON envelope carrying the same `statusCode`, or an HTML page when
 *   `html` is true.
 * - `body-status`: HTTP 200 with a failure envelope carrying that `statusCode` (and `apiCode`, if given).
 * - `throttle`: HTTP 429 with `Retry-After` (default 1 second) and a 429 envelope; with `inBody`, HTTP 200 and an
 *   envelope with `statusCode` 429 (the `Retry-After` header is then sent only when `retryAfterSec` is given).
 * - `malformed`: HTTP 200, `content-type: application/json`, a body that is not JSON.
 * - `truncated`: HTTP 200, a JSON envelope cut short.
 * - `empty`: HTTP 200, an empty body.
 * - `missing-active`: an envelope with `statusCode` 200 and `data: {}` (for `roles` and `permissions` too: no
 *   `hasAnyRole`, no `checkResultList`).
 * - `non-boolean-active`: an envelope with `statusCode` 200 and `data: {"active": "true"}`.
 * - `huge`: HTTP 200, a valid-looking success envelope padded to `bytes` bytes (never fewer than the bare envelope),
 *   streamed with a `content-length`, or chunked without one when `chunked` is true.
 * - `hang`: never answers; the socket stays open until the client gives up or {@link FakeGenAuth.close} is called.
 * - `reset`: destroys the socket (TCP reset) without answering.
 * - `drip`: answers normally, but sends the body one byte every `ms` milliseconds.
 */
export type Fault =
  | { kind: 'latency'; ms: number }
  | { kind: 'http-status'; status: number; html?: boolean }
  | { kind: 'body-status'; statusCode: number; apiCode?: number }
  | { kind: 'throttle'; retryAfterSec?: number; inBody?: boolean }
  | { kind: 'malformed' }
  | { kind: 'truncated' }
  | { kind: 'empty' }
  | { kind: 'missing-active' }
  | { kind: 'non-boolean-active' }
  | { kind: 'huge'; bytes: number; chunked?: boolean }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'drip'; ms: number };

/** Where and how often a fault applies. */
export interface FaultOptions {
  /**
   * The endpoint the fault applies to; `any` matches every endpoint of the fake.
   * @default 'check'
   */
  endpoint?: FakeEndpoint | 'any';
  /**
   * How many requests the fault applies to, after which it is dropped.
   * @default until {@link FakeGenAuth.clearFaults} is called
   */
  times?: number;
}

/** @internal */
export const FAULT_OPTION_KEYS = { endpoint: true, times: true } as const satisfies OptionKeys<FaultOptions>;

/** Options of {@link FakeGenAuth.login}. */
export interface LoginOptions {
  /**
   * Lifetime of the access token, seconds.
   * @default 3600
   */
  expiresInSec?: number;
  /** Extra claims, merged last: they may override any default claim (`iss`, `sub`, `aud`, `scope`, `jti`, `iat`, `exp`). */
  claims?: Record<string, unknown>;
}

/** @internal */
export const LOGIN_OPTION_KEYS = { expiresInSec: true, claims: true } as const satisfies OptionKeys<LoginOptions>;

/** Options of {@link FakeGenAuth.signToken}. */
export interface SignTokenOptions {
  /**
   * Lifetime, seconds: sets `exp` to `iat + expiresInSec` unless the claims carry `exp`.
   * @default 3600
   */
  expiresInSec?: number;
  /**
   * The signing algorithm. Only RS256 is supported.
   * @default 'RS256'
   */
  alg?: 'RS256';
  /** Extra protected header fields, merged over `{ alg, typ: 'JWT', kid }` (e.g. a wrong `kid`). */
  header?: Record<string, unknown>;
}

/** @internal */
export const SIGN_TOKEN_OPTION_KEYS = { expiresInSec: true, alg: true, header: true } as const satisfies OptionKeys<SignTokenOptions>;

/** Live request counters of the fake. */
export interface FakeGenAuthCalls {
  /** `POST /api/v3/get-management-token` requests. */
  token: number;
  /** `POST /api/v3/check-session-status` requests. */
  check: number;
  /** `POST /api/v3/kick-users` requests. */
  kick: number;
  /** `POST /api/v3/create-webhook` requests. */
  webhook: number;
  /** `POST /api/v3/has-any-role` requests. */
  roles: number;
  /** `POST /api/v3/check-permission` requests. */
  permissions: number;
  /** `GET /oidc/.well-known/jwks.json` requests. */
  jwks: number;
  /** `GET /oidc/.well-known/openid-configuration` requests. */
  discovery: number;
  /** Requests refused for bad authentication (wrong credentials, bad or expired token, bad signature). */
  refused: number;
}

/** One permission of {@link FakeGenAuth.grantPermission}. */
export interface PermissionGrant {
  namespace: string;
  action: string;
  resource: string;
}

/** A running fake GenAuth server. See {@link createFakeGenAuth}. */
export interface FakeGenAuth {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly host: string;
  /** `${host}/oidc`: the `iss` of user tokens. */
  readonly issuer: string;
  /** `${host}/oidc/.well-known/jwks.json`. */
  readonly jwksUri: string;
  /** The access key id the fake accepts. */
  readonly accessKeyId: string;
  /** The access key secret the fake accepts. */
  readonly accessKeySecret: string;
  /** The user pool id the fake expects. */
  readonly userPoolId: string;
  /**
   * Marks a live session for `userId` in `appId` (creating the user if unknown) and returns a signed RS256 access
   * token with `sub` = userId, `aud` = appId, `iss` = {@link issuer}, `iat`, `exp`, `jti`, `scope` and `kid` in the
   * header.
   */
  login(userId: string, appId: string, options?: LoginOptions): Promise<string>;
  /**
   * Marks a live session for `userId` in `appId` (creating the user if unknown), as {@link login} does, without
   * signing a token: for identities that carry no GenAuth token (`header`, `cookie`, your own extractor), and much
   * cheaper when a test needs many users.
   */
  startSession(userId: string, appId: string): void;
  /**
   * Signs any claims with the fake's RS256 key, for tests that need odd tokens. `iat` (from the fake's clock) and
   * `exp` are added unless the claims carry them.
   */
  signToken(claims: Record<string, unknown>, options?: SignTokenOptions): Promise<string>;
  /** Adds a known user with no session (check-session-status then answers `active: false` instead of 404). */
  addUser(userId: string): void;
  /** Ends the user's sessions in those applications (all of them if omitted), as `POST /api/v3/kick-users` does. */
  kick(userId: string, appIds?: string[]): void;
  /** Blocks the user: ends every session of theirs and delivers `user:blocked` to the webhooks. */
  blockUser(userId: string): void;
  /** Deletes the user (check-session-status then answers "user not found") and delivers `user:deleted`. */
  deleteUser(userId: string): void;
  /**
   * Registers a webhook, as `POST /api/v3/create-webhook` does: from now on kicks (helper and `kick-users`), blocked
   * and deleted users, role and permission changes and {@link emitWebhook} events are POSTed to `url` over HTTP, with `secret` in
   * `x-authing-webhook-secret` and `x-authing-token`.
   */
  addWebhook(webhook: AddWebhookOptions): FakeWebhook;
  /** Delivers any event (e.g. `role:unassigned`, `permission:revoke`, `test`) to the registered webhooks. */
  emitWebhook(eventName: string, data?: unknown): void;
  /**
   * Makes the next `times` deliveries (default: all, until {@link clearWebhookFaults}) misbehave: `drop`, `delay`,
   * `duplicate` or `wrong-secret`.
   */
  webhookFault(fault: WebhookFault, options?: { times?: number }): void;
  clearWebhookFaults(): void;
  /**
   * Resolves once every delivery started so far has been answered by its receiver (or failed), with the deliveries
   * made since the last call: tests await this instead of sleeping.
   */
  webhookDeliveries(): Promise<WebhookDelivery[]>;
  /** Ends the user's session in one application. */
  logout(userId: string, appId: string): void;
  /** Whether the user holds a live session in the application: the ground truth. */
  isActive(userId: string, appId: string): boolean;
  /**
   * Gives the user (created if unknown, with no session) the role `code` in `namespace` (the permission group
   * code). `has-any-role` matches a requested role `{ code }` without a namespace against the default namespace.
   * Delivers `role:assigned` to the webhooks, with `data` `{ users: [{ userId, id }], role: { code, namespace } }`.
   * @param namespace @default 'default'
   */
  assignRole(userId: string, code: string, namespace?: string): void;
  /** Takes the role back and delivers `role:unassigned` (data as {@link assignRole}). @param namespace @default 'default' */
  revokeRole(userId: string, code: string, namespace?: string): void;
  /**
   * Allows `action` on `resource` in `namespace` for the user (created if unknown, with no session):
   * `check-permission` then answers `enabled: true` for it. No wildcards, no conditions. Delivers `permission:add`
   * to the webhooks, with `data` `{ policyCodes: ['<action>:<resource>'], targetType: 'USER', targetIdentifiers:
   * [userId], namespace }`.
   */
  grantPermission(userId: string, grant: PermissionGrant): void;
  /** Takes the grant back and delivers `permission:revoke` (data as {@link grantPermission}). */
  revokePermission(userId: string, grant: PermissionGrant): void;
  /**
   * Makes the fake misbehave. Faults are kept in the order given; a request takes the first one that matches its
   * endpoint. A fault is applied before the request is authenticated (except `latency` and `drip`, which then let it
   * be handled normally).
   */
  fault(fault: Fault, options?: FaultOptions): void;
  /** Drops every fault. */
  clearFaults(): void;
  /** Refuses (`statusCode` 401 in the body) every management token issued so far, as if they expired mid-flight. */
  expireManagementTokens(): void;
  /** Live counters of the requests received (see {@link FakeGenAuthCalls}). */
  readonly calls: Readonly<FakeGenAuthCalls>;
  /** Sets every counter back to 0. */
  resetCalls(): void;
  /** Stops the server, destroying open sockets (keep-alive, hanging and dripping answers) and pending timers. */
  close(): Promise<void>;
}
