/**
 * `genauth-session-guard/redis`: Redis as a shared second tier behind each replica's in-process cache, for apps
 * that run as several replicas. Pass `redisStore({ client })` as the guard's `store`; node-redis v5 and ioredis
 * clients are accepted (both optional peer dependencies). Store events are published on `channels.store`.
 * @packageDocumentation
 * @module genauth-session-guard/redis
 */
export { redisStore } from './redis/redis-store';
export type { RedisStoreOptions } from './redis/redis-store';
export type { RedisClientLike } from './redis/connections';
export type { StoreEvent, StoreOperation } from './core/events';
export type {
  SharedStore,
  SharedStoreSettings,
  SharedStoreScope,
  SharedStoreListener,
  SharedStoreSession,
  StoredAnswer,
  StoreRead,
  ReadRequest,
  WriteRequest,
  InvalidateRequest,
} from './core/shared-store';
