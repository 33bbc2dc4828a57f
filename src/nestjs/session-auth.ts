import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SessionAuth as Auth } from '../core/types';

/**
 * A route parameter decorator: the `SessionAuth` that `ActiveSessionGuard` set for this request (`request.auth`);
 * `undefined` on a `@Public()` route.
 * @example
 * ```ts
 * @Get('me') me(@SessionAuth() auth: SessionAuth) { return { userId: auth.userId }; }
 * ```
 */
export const SessionAuth = createParamDecorator((_data: unknown, context: ExecutionContext): Auth | undefined =>
  context.getArgByIndex<{ auth?: Auth } | undefined>(0)?.auth);

/** The caller's auth: `userId`, `appId`, `claims`, `session`, and `authorization` on routes that asked for some. */
export type SessionAuth = Auth;
