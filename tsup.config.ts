import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    koa: 'src/koa.ts',
    nestjs: 'src/nestjs.ts',
    hono: 'src/hono.ts',
    web: 'src/web.ts',
    testing: 'src/testing.ts',
    redis: 'src/redis.ts',
    opentelemetry: 'src/opentelemetry.ts',
    prometheus: 'src/prometheus.ts',
    cli: 'src/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'node20',
  platform: 'node',
  splitting: true,
  // The runtime dependencies and every optional peer: never bundled.
  external: [
    'jose',
    'lru-cache',
    'express',
    'koa',
    'hono',
    'redis',
    'ioredis',
    '@nestjs/common',
    '@nestjs/core',
    'reflect-metadata',
    'rxjs',
    '@opentelemetry/api',
    'prom-client',
  ],
});
