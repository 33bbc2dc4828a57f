import type { IncomingMessage, ServerResponse } from 'node:http';
import { failure, jsonReply, type Reply } from './envelope';
import { handleCheckPermission, handleHasAnyRole } from './authorization-handlers';
import { answerWithFault } from './fault-replies';
import type { FaultRegistry } from './fault-registry';
import { handleCheckSessionStatus, handleCreateWebhook, handleGetManagementToken, handleKickUsers, type HandlerContext } from './handlers';
import { checkManagementAuth } from './management-auth';
import { discoveryDocument, type OidcKeys } from './oidc-keys';
import { readJsonBody } from './read-body';
import type { SignatureVerifier } from './signature-check';
import type { Timers } from './timers';
import type { FakeEndpoint } from './types';
import { dripReply, writeReply } from './write-reply';

/** Everything the request handler works with. */
export interface ServerContext extends HandlerContext {
  userPoolId: string;
  signatures: SignatureVerifier;
  keys: OidcKeys;
  faults: FaultRegistry;
  timers: Timers;
  /** Filled in once the server listens. */
  urls: { issuer: string; jwksUri: string };
}

interface Route {
  method: 'GET' | 'POST';
  endpoint: FakeEndpoint;
}

const ROUTES: Readonly<Record<string, Route>> = {
  '/api/v3/get-management-token': { method: 'POST', endpoint: 'token' },
  '/api/v3/check-session-status': { method: 'POST', endpoint: 'check' },
  '/api/v3/kick-users': { method: 'POST', endpoint: 'kick' },
  '/api/v3/create-webhook': { method: 'POST', endpoint: 'webhook' },
  '/api/v3/has-any-role': { method: 'POST', endpoint: 'roles' },
  '/api/v3/check-permission': { method: 'POST', endpoint: 'permissions' },
  '/oidc/.well-known/openid-configuration': { method: 'GET', endpoint: 'discovery' },
  '/oidc/.well-known/jwks.json': { method: 'GET', endpoint: 'jwks' },
};

/** The normal answer of an endpoint. */
async function answer(req: IncomingMessage, path: string, route: Route, ctx: ServerContext): Promise<Reply> {
  if (route.endpoint === 'jwks') return jsonReply(ctx.keys.jwks());
  if (route.endpoint === 'discovery') return jsonReply(discoveryDocument(ctx.urls.issuer, ctx.urls.jwksUri));

  const body = await readJsonBody(req);
  if (!body.ok) return failure(body.statusCode, body.message);
  if (route.endpoint === 'token') return handleGetManagementToken(body.value, ctx);

  const refusal = checkManagementAuth(
    { method: req.method ?? 'POST', path, headers: req.headers, params: body.value },
    { tokens: ctx.tokens, signatures: ctx.signatures, userPoolId: ctx.userPoolId },
  );
  if (refusal) {
    ctx.calls.refused += 1;
    return failure(401, refusal.message, refusal.apiCode);
  }
  switch (route.endpoint) {
    case 'check':
      return handleCheckSessionStatus(body.value, ctx);
    case 'webhook':
      return handleCreateWebhook(body.value, ctx);
    case 'roles':
      return handleHasAnyRole(body.value, ctx);
    case 'permissions':
      return handleCheckPermission(body.value, ctx);
    default:
      return handleKickUsers(body.value, ctx);
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://fake.invalid').pathname;
  const route = Object.prototype.hasOwnProperty.call(ROUTES, path) ? ROUTES[path] : undefined;
  if (!route) return writeReply(res, failure(404, 'no such endpoint', undefined, 404));
  if (req.method !== route.method) {
    return writeReply(res, failure(405, 'method not allowed', undefined, 405, { allow: route.method }));
  }
  ctx.calls[route.endpoint] += 1;

  const fault = ctx.faults.take(route.endpoint);
  let dripMs: number | undefined;
  if (fault?.kind === 'latency') await ctx.timers.delay(fault.ms);
  else if (fault?.kind === 'drip') dripMs = fault.ms;
  else if (fault) return answerWithFault(fault, req, res);

  const reply = await answer(req, path, route, ctx);
  if (dripMs === undefined) writeReply(res, reply);
  else dripReply(res, reply, dripMs, ctx.timers);
}

/** The fake's `request` listener. Never logs; an unexpected error becomes a 500 envelope. */
export function createRequestHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, ctx).catch(() => {
      if (!res.headersSent) writeReply(res, failure(500, 'internal error of the fake', undefined, 500));
      else res.destroy();
    });
  };
}
