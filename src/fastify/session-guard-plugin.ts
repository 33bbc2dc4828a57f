import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import type { SessionGuard } from '../core/session-guard';
import './fastify-types';

/** The options of the {@link sessionGuard} plugin. */
export interface SessionGuardPluginOptions {
  /** The guard of the app (from `createSessionGuard`): decorated as `app.sessionGuard`. Required. */
  guard: SessionGuard;
}

/** Fastify's own `register` options, which it hands to the plugin too (`@fastify/autoload` sets `prefix`). */
const REGISTER_KEYS = { prefix: true, logLevel: true, logSerializers: true } as const;

const PLUGIN_KEYS = { guard: true, ...REGISTER_KEYS } as const satisfies OptionKeys<SessionGuardPluginOptions & Record<keyof typeof REGISTER_KEYS, unknown>>;

/** The name the plugin is registered under (what `dependencies: ['genauth-session-guard']` of another plugin names). */
export const PLUGIN_NAME = 'genauth-session-guard';

const plugin: FastifyPluginAsync<SessionGuardPluginOptions> = async (app, options) => {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('genauth-session-guard: register sessionGuard with { guard }.');
  }
  assertKnownKeys(options, PLUGIN_KEYS, 'sessionGuard plugin options');
  if (typeof options.guard?.authenticate !== 'function') {
    throw new TypeError('genauth-session-guard: the sessionGuard plugin needs { guard } from createSessionGuard().');
  }
  app.decorate('sessionGuard', options.guard);
  // Decorated, not assigned by the hook: every request is made with `auth`, so its shape never changes.
  app.decorateRequest('auth', null);
};

/**
 * Fastify plugin (Fastify 5): decorates `app.sessionGuard` with the guard, used by `requireActiveSession` when it
 * is given no `guard`, and `request.auth` (`null` until the hook lets the request through). Wrapped with
 * fastify-plugin, so the decorations reach the context it is registered in (its parent's, not a child of its own).
 * It does not close the guard: close it yourself (`app.addHook('onClose', () => guard.close())`), since the guard
 * may serve more than this app.
 * A missing or wrong `guard`, or an unknown option, is a `TypeError` when the plugin is registered.
 * @example
 * ```ts
 * await app.register(sessionGuard, { guard });
 * app.get('/admin', { onRequest: requireActiveSession('app-id') }, async (request) => request.auth);
 * ```
 */
export const sessionGuard = fp(plugin, { fastify: '5.x', name: PLUGIN_NAME });
