/**
 * Baseline for the NestJS guard's hit path: a `CanActivate` that only sets `request.auth` to a constant object and
 * returns `true`, the least a Nest guard that must set the auth can do.
 */
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { readConfig } from './common';
import { serveNest } from './nest-common';

const config = readConfig();
const auth = Object.freeze({ userId: 'constant', appId: config.appId, session: Object.freeze({ active: true as const, source: 'cache' as const, checkedAt: 0 }) });

class SetAuth implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.getArgByIndex<{ auth?: unknown }>(0).auth = auth;
    return true;
  }
}

await serveNest(SetAuth);
