/**
 * The injection token of the module options (`{ guard, appId }`). The package is built without decorator metadata,
 * so every injection names its token; inject this one in your own providers to reach the guard:
 * `constructor(@Inject(SESSION_GUARD_OPTIONS) options: SessionGuardModuleOptions)`.
 */
export const SESSION_GUARD_OPTIONS: unique symbol = Symbol.for('genauth-session-guard.nestjs.options');

/** Metadata keys of the route decorators (strings: the ES module and CommonJS builds read the same keys). */
export const METADATA = {
  roles: 'genauth-session-guard:roles',
  permissions: 'genauth-session-guard:permissions',
  scopes: 'genauth-session-guard:scopes',
  appId: 'genauth-session-guard:app-id',
  public: 'genauth-session-guard:public',
} as const;
