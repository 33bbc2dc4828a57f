/**
 * Peer: @fastify/jwt 10 verifying an RS256 bearer JWT against the fake's JWKS (keys from jwks-rsa, cached, as
 * @fastify/jwt's README suggests for JWKS), audience and issuer checked, as an `onRequest` hook calling
 * `request.jwtVerify()`. JWT only: no session check.
 */
import fastifyJwt from '@fastify/jwt';
import jwksRsa from 'jwks-rsa';
import type { onRequestHookHandler } from 'fastify';
import { buildFastifyApp, readConfig, serveFastify } from './fastify-common';

const config = readConfig();
const jwks = jwksRsa({ jwksUri: config.jwksUri, cache: true, rateLimit: true });
const verify: onRequestHookHandler = async (request, reply) => {
  try {
    await request.jwtVerify();
  } catch (error) {
    return reply.code((error as { statusCode?: number }).statusCode ?? 401).send({ error: 'unauthorized' });
  }
};
await serveFastify(await buildFastifyApp(verify, (app) => app.register(fastifyJwt, {
  secret: (async (_request: unknown, token: { header: { kid?: string } }) => (await jwks.getSigningKey(token.header.kid)).getPublicKey()) as never,
  decode: { complete: true }, // the secret function gets the header (its kid)
  verify: { allowedAud: config.appId, allowedIss: config.issuer, algorithms: ['RS256'] },
})));
