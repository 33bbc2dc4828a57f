import { isAcceptableAppId, MAX_APP_ID_LENGTH } from '../core/app-id';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import type { SessionGuard } from '../core/session-guard';
import type { RequestLike } from '../core/types';

/** The request a Nest route gets: Express's `req` on platform-express, Fastify's `request` on platform-fastify. */
export type NestRequest = RequestLike & Record<string, any>;

/** The app id of a route: fixed, or read from the request (e.g. `(request) => request.params.appId`). */
export type NestAppId = string | ((request: NestRequest) => string);

/** What `SessionGuardModule.forRoot` takes (and the `useFactory` of `forRootAsync` returns). */
export interface SessionGuardModuleOptions {
  /** The guard (one per process: one cache, one management token). The module does not close it. */
  guard: SessionGuard;
  /** The GenAuth app id of every guarded route; `@AppId(...)` overrides it on a controller or a route. */
  appId: NestAppId;
}

const MODULE_OPTION_KEYS = { guard: true, appId: true } as const satisfies OptionKeys<SessionGuardModuleOptions>;

/** `true` for an app id a route may use: a usable string, or a function that reads one from the request. */
export function isAppIdOption(value: unknown): value is NestAppId {
  return typeof value === 'function' || isAcceptableAppId(value);
}

/** The rule an app id breaks, for the messages of `forRoot` and `@AppId`. */
export const APP_ID_RULE = `the GenAuth app id, a non-blank string of at most ${MAX_APP_ID_LENGTH} characters without control characters, or (request) => string`;

/** Checks the module options (a `TypeError` naming what to set) and returns them. */
export function checkModuleOptions(options: unknown, where: string): SessionGuardModuleOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`genauth-session-guard: ${where} needs { guard, appId }.`);
  }
  assertKnownKeys(options, MODULE_OPTION_KEYS, `${where} options`);
  const { guard, appId } = options as Partial<SessionGuardModuleOptions>;
  if (typeof guard?.authenticate !== 'function') {
    throw new TypeError(`genauth-session-guard: \`guard\` of ${where} must come from createSessionGuard().`);
  }
  if (!isAppIdOption(appId)) throw new TypeError(`genauth-session-guard: \`appId\` of ${where} must be ${APP_ID_RULE}.`);
  return { guard, appId };
}
