/**
 * Peer: express-oauth2-jwt-bearer (Auth0), JWT only. `auth({ issuerBaseURL, audience })`: it reads the fake's
 * OIDC discovery document (`${issuer}/.well-known/openid-configuration`, plain http accepted) for the JWKS URL and
 * the issuer, caches the JWKS, and checks signature, `iss`, `aud`, `exp` on every request. No session check.
 */
import { auth } from 'express-oauth2-jwt-bearer';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
await serve(buildApp(auth({ issuerBaseURL: config.issuer, audience: config.appId })));
