/**
 * Peer: express-jwt 8 with jwks-rsa 4, JWT only, configured as both READMEs show:
 * `expressjwt({ secret: expressJwtSecret({ jwksUri, cache: true, rateLimit: true }), audience, issuer, algorithms: ['RS256'] })`.
 * No session check.
 */
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import type { RequestHandler } from 'express';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
const middleware = expressjwt({
  secret: jwksRsa.expressJwtSecret({ jwksUri: config.jwksUri, cache: true, rateLimit: true }) as never,
  audience: config.appId,
  issuer: config.issuer,
  algorithms: ['RS256'],
}) as unknown as RequestHandler;
await serve(buildApp(middleware));
