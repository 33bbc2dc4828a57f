import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata, type OptionalFactoryDependency } from '@nestjs/common';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import { ActiveSessionGuard } from './active-session-guard';
import { checkModuleOptions, type SessionGuardModuleOptions } from './module-options';
import { SESSION_GUARD_OPTIONS } from './tokens';

/** What `SessionGuardModule.forRootAsync` takes: the options come from a factory with injected dependencies. */
export interface SessionGuardModuleAsyncOptions {
  /** Modules whose providers the factory injects (e.g. `ConfigModule`). @default [] */
  imports?: ModuleMetadata['imports'];
  /** The tokens of what the factory receives, in order. @default [] */
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  /** Returns (or resolves) `{ guard, appId }`; checked as `forRoot`'s options are, a `TypeError` at boot. */
  useFactory: (...args: any[]) => SessionGuardModuleOptions | Promise<SessionGuardModuleOptions>;
}

const ASYNC_OPTION_KEYS = { imports: true, inject: true, useFactory: true } as const satisfies OptionKeys<SessionGuardModuleAsyncOptions>;

/**
 * The global module that provides the guard's options (token `SESSION_GUARD_OPTIONS`) and `ActiveSessionGuard`.
 * Import it once, in the root module. It does not close the guard: close it in your shutdown hook.
 * @example
 * ```ts
 * @Module({
 *   imports: [SessionGuardModule.forRoot({ guard, appId: 'app-id' })],
 *   providers: [{ provide: APP_GUARD, useClass: ActiveSessionGuard }],
 * })
 * export class AppModule {}
 * ```
 */
export class SessionGuardModule {
  /** The module with fixed options; a `TypeError` here for a missing guard, an unusable `appId`, an unknown key. */
  static forRoot(options: SessionGuardModuleOptions): DynamicModule {
    const checked = checkModuleOptions(options, 'SessionGuardModule.forRoot');
    return moduleWith({ provide: SESSION_GUARD_OPTIONS, useValue: checked });
  }

  /** The module with options from a factory (configuration read at boot); its result is checked as `forRoot`'s. */
  static forRootAsync(options: SessionGuardModuleAsyncOptions): DynamicModule {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('genauth-session-guard: SessionGuardModule.forRootAsync needs { useFactory, inject?, imports? }.');
    }
    assertKnownKeys(options, ASYNC_OPTION_KEYS, 'SessionGuardModule.forRootAsync options');
    const { imports = [], inject = [], useFactory } = options;
    if (typeof useFactory !== 'function') {
      throw new TypeError('genauth-session-guard: `useFactory` of SessionGuardModule.forRootAsync must be a function returning { guard, appId }.');
    }
    if (!Array.isArray(imports) || !Array.isArray(inject)) {
      throw new TypeError('genauth-session-guard: `imports` and `inject` of SessionGuardModule.forRootAsync must be arrays.');
    }
    return {
      ...moduleWith({
        provide: SESSION_GUARD_OPTIONS,
        inject,
        useFactory: async (...args: unknown[]) => checkModuleOptions(await useFactory(...args), 'the useFactory of SessionGuardModule.forRootAsync'),
      }),
      imports,
    };
  }
}

Module({})(SessionGuardModule);

function moduleWith(options: NonNullable<ModuleMetadata['providers']>[number]): DynamicModule {
  return {
    module: SessionGuardModule,
    global: true,
    providers: [options, ActiveSessionGuard],
    exports: [SESSION_GUARD_OPTIONS, ActiveSessionGuard],
  };
}
