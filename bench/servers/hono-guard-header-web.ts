/** hono-guard-header without `c.env`: the guard reads the Web `Request` (`c.req.raw`), as under Bun and Deno. */
process.env.BENCH_HONO_WEB = '1';
await import('./hono-guard-header');

export {};
