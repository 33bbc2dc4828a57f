import type { SessionGuard } from '../core/session-guard';
import type { SessionAuth } from '../core/types';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by genauth-session-guard's `requireActiveSession` hook when the caller holds a live GenAuth session;
     * `null` on a route the hook does not guard. Decorated (`null`) by the `sessionGuard` plugin, so every request
     * has the same shape.
     */
    auth: SessionAuth | null;
  }
  interface FastifyInstance {
    /** The guard given to the `sessionGuard` plugin: what `requireActiveSession` uses when given no `guard`. */
    sessionGuard: SessionGuard;
  }
}

export {};
