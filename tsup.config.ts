import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', koa: 'src/koa.ts', fastify: 'src/fastify.ts', testing: 'src/testing.ts', redis: 'src/redis.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'node20',
  platform: 'node',
  splitting: true,
  external: ['express', 'koa', 'jose', 'lru-cache', 'redis', 'ioredis', 'fastify', 'fastify-plugin'],
});
