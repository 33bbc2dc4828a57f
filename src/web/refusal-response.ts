import type { SessionGuardError } from '../core/errors';

/**
 * The default answer to a refusal as a Web `Response`: the error's status and headers (`WWW-Authenticate`,
 * `Retry-After` on a 503), JSON body `{ error, message }`, as the Express and Koa adapters answer.
 */
export function refusalResponse(error: SessionGuardError): Response {
  const headers = new Headers(error.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers });
}
