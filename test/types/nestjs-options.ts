/**
 * Type-level checks of `genauth-session-guard/nestjs` (compiled by `tsc -p tsconfig.json`, never run): misspelt
 * options and decorator arguments do not type-check. Each `@ts-expect-error` fails the type-check if its line stops
 * being an error.
 */
import { createSessionGuard, header } from '../../src/index';
import { AppId, Permissions, Roles, Scopes, SessionGuardModule, type SessionAuth } from '../../src/nestjs';

const guard = createSessionGuard({ identity: header('x-user-id') });

SessionGuardModule.forRoot({ guard, appId: 'app-1' });
SessionGuardModule.forRoot({ guard, appId: (request) => String(request.headers['x-app-id']) });
// @ts-expect-error `appid` is not a module option (`appId` is)
SessionGuardModule.forRoot({ guard, appid: 'app-1' });
// @ts-expect-error a guard option does not belong beside the guard
SessionGuardModule.forRoot({ guard, appId: 'app-1', cache: false });
// @ts-expect-error `appId` is required
SessionGuardModule.forRoot({ guard });
// @ts-expect-error `injects` is not a forRootAsync option (`inject` is)
SessionGuardModule.forRootAsync({ injects: [], useFactory: () => ({ guard, appId: 'app-1' }) });
// @ts-expect-error the factory must give { guard, appId }
SessionGuardModule.forRootAsync({ useFactory: () => ({ guard }) });

Roles('admin', { code: 'auditor', namespace: 'finance' });
// @ts-expect-error a role entry takes `code` and `namespace` only
Roles({ code: 'auditor', namesapce: 'finance' });
// @ts-expect-error `resource` is not a permissions key (`resources` is)
Permissions({ namespace: 'orders', action: 'read', resource: 'o:1' });
// @ts-expect-error scopes are strings
Scopes(['read']);
// @ts-expect-error an app id is a string or a function of the request
AppId(42);

// `SessionAuth` is the parameter decorator and the type of what it gives.
export const userIdOf = (auth: SessionAuth): string => auth.userId;
