import { HttpException } from '@nestjs/common';
import type { SessionGuardError } from '../core/errors';

/**
 * What `ActiveSessionGuard` throws on a refusal: a Nest `HttpException` with the refusal's status and body
 * `{ error, message }`, the refusal itself as `cause` and `refusal`. Nest's default exception handling answers it
 * as Express's `requireActiveSession` does; the refusal's headers (`WWW-Authenticate`, `Retry-After`) are already on
 * the response when it is thrown, since a Nest exception carries no headers. Catch it in an exception filter,
 * `@Catch(SessionRefusedException)`, to answer otherwise (remove those headers if your answer should not carry them).
 */
export class SessionRefusedException extends HttpException {
  /** The refusal: `code`, `status`, `headers`, `toJSON()`. */
  readonly refusal: SessionGuardError;

  constructor(refusal: SessionGuardError) {
    super(refusal.toJSON(), refusal.status, { cause: refusal });
    this.refusal = refusal;
  }
}

interface HeaderWriter {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/**
 * Puts a refusal's headers on the platform response: `header(name, value)` on Express's `res` and on Fastify's
 * `reply`, `setHeader` on a bare Node response.
 */
export function setRefusalHeaders(response: unknown, headers: Record<string, string>): void {
  const writer = response as HeaderWriter | undefined;
  for (const name of Object.keys(headers)) {
    const value = headers[name]!;
    if (typeof writer?.header === 'function') writer.header(name, value);
    else if (typeof writer?.setHeader === 'function') writer.setHeader(name, value);
  }
}
