/**
 * The peer a Hono user would pick: Hono's own `jwk` middleware (hono/jwk, the JWKS form of hono/jwt), RS256, with the
 * fake's JWKS fetched once at start and handed over as `keys` (with `jwks_uri` it would fetch them on every request).
 * Signature and expiry only: no session check, no audience.
 */
import { jwk } from 'hono/jwk';
import { readConfig, serve } from './common';
import { buildHonoApp, honoListener } from './hono-common';

const config = readConfig();
const { keys } = (await (await fetch(config.jwksUri)).json()) as { keys: Parameters<typeof jwk>[0]['keys'] & unknown[] };
await serve(honoListener(buildHonoApp(jwk({ keys, alg: ['RS256'] }))));
