#!/usr/bin/env node
// Installs the packed tarball into a fresh project, as a user would, and checks that `.`, `./koa` and
// `./testing` work from `import` and from `require` (a request through Express and Koa against the shipped fake:
// 200 with a live session, 401 without a token), that `./redis` loads (no Redis server here), and that all four
// type-check under moduleResolution node16 as ESM and as CommonJS. Run after `npm run build` (npm run
// check:package does). Exits 1 on any failure; the temporary directory is removed either way.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const versionOf = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command, failing on a non-zero exit; its output is shown, or returned when `capture` is set. */
function run(command, args, cwd, { capture = false } = {}) {
  console.log(`$ ${command === process.execPath ? 'node' : command} ${args.join(' ')}`);
  return execFileSync(command, args, { cwd, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
}

// The same checks for both module systems; `load(specifier)` is `import()` or `require`.
const checks = String.raw`
async function check(kind, lib, koaLib, testing, redisLib, express, Koa) {
  const APP = 'smoke-app';
  const fake = await testing.createFakeGenAuth();
  const guard = lib.createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    identity: lib.bearerJwt({ issuer: fake.issuer, audience: APP }),
  });
  const servers = [];
  const listen = (handler) => new Promise((done) => {
    const server = require_http.createServer(handler).listen(0, '127.0.0.1', () => {
      servers.push(server);
      done('http://127.0.0.1:' + server.address().port + '/admin');
    });
  });
  try {
    if (koaLib.SessionGuardError !== lib.SessionGuardError) throw new Error('./koa and . carry different SessionGuardError classes');
    if (typeof redisLib.redisStore !== 'function') throw new Error('./redis does not export redisStore');
    if (typeof lib.firstOf !== 'function' || typeof lib.header !== 'function' || typeof lib.cookie !== 'function') {
      throw new Error('an extractor is missing from the main entry');
    }
    const app = express();
    app.get('/admin', lib.requireActiveSession(APP, { guard }), (req, res) => res.json({ userId: req.auth.userId }));
    const koa = new Koa();
    koa.use(koaLib.requireActiveSession(APP, { guard }));
    koa.use((ctx) => { ctx.body = { userId: ctx.state.auth.userId }; });
    const token = await fake.login('alice', APP);
    for (const [framework, url] of [['express', await listen(app)], ['koa', await listen(koa.callback())]]) {
      const ok = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
      const okBody = await ok.json();
      if (ok.status !== 200 || okBody.userId !== 'alice') throw new Error(kind + ' ' + framework + ': expected 200 for alice, got ' + ok.status + ' ' + JSON.stringify(okBody));
      const refused = await fetch(url);
      const refusedBody = await refused.json();
      if (refused.status !== 401 || refusedBody.error !== 'missing_credentials') {
        throw new Error(kind + ' ' + framework + ': expected 401 missing_credentials, got ' + refused.status + ' ' + JSON.stringify(refusedBody));
      }
      console.log('  ok ' + kind + ' ' + framework + ': 200 with a live session, 401 missing_credentials without a token');
    }
  } finally {
    for (const server of servers) { server.closeAllConnections(); server.close(); }
    await guard.close();
    await fake.close();
  }
}
`;

// The guard from the ES module build, bearerJwt from the CommonJS build: two copies of every class. A JWKS outage
// must stay a 503 (refusals are told apart by a brand, not instanceof), and a refusal of one copy is one to the other.
const mixedCopies = String.raw`
async function mixedCopies(lib, cjsLib, testing, express) {
  const APP = 'smoke-app';
  const fake = await testing.createFakeGenAuth();
  const guard = lib.createSessionGuard({
    host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
    identity: cjsLib.bearerJwt({ issuer: fake.issuer, audience: APP }),
  });
  const app = express();
  app.get('/admin', lib.requireActiveSession(APP, { guard }), (req, res) => res.json({ userId: req.auth.userId }));
  const server = await new Promise((done) => { const s = require_http.createServer(app).listen(0, '127.0.0.1', () => done(s)); });
  try {
    if (cjsLib.SessionGuardError === lib.SessionGuardError) throw new Error('the CommonJS and ES module builds share one class: not two copies');
    if (!lib.isSessionGuardError(new cjsLib.SessionCheckUnavailableError())) throw new Error('a CommonJS refusal is not a refusal to the ES module build');
    const token = await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502 }, { endpoint: 'jwks' });
    const response = await fetch('http://127.0.0.1:' + server.address().port + '/admin', { headers: { authorization: 'Bearer ' + token } });
    const body = await response.json();
    if (response.status !== 503 || body.error !== 'session_check_unavailable') {
      throw new Error('mixed copies: a JWKS outage must be 503 session_check_unavailable, got ' + response.status + ' ' + JSON.stringify(body));
    }
    console.log('  ok mixed copies: bearerJwt from require, guard from import: a JWKS outage is 503');
  } finally {
    server.closeAllConnections();
    server.close();
    await guard.close();
    await fake.close();
  }
}
`;

const esmScript = `import * as require_http from 'node:http';
import { createRequire } from 'node:module';
import * as lib from 'genauth-session-guard';
import * as koaLib from 'genauth-session-guard/koa';
import * as testing from 'genauth-session-guard/testing';
import * as redisLib from 'genauth-session-guard/redis';
import express from 'express';
import Koa from 'koa';
${checks}
${mixedCopies}
await check('import', lib, koaLib, testing, redisLib, express, Koa);
await mixedCopies(lib, createRequire(import.meta.url)('genauth-session-guard'), testing, express);
`;

const cjsScript = `'use strict';
const require_http = require('node:http');
${checks}
check('require', require('genauth-session-guard'), require('genauth-session-guard/koa'),
  require('genauth-session-guard/testing'), require('genauth-session-guard/redis'), require('express'), require('koa'))
  .catch((error) => { console.error(error); process.exitCode = 1; });
`;

// Types as a user's TypeScript project sees them, through the exports map (import and require conditions).
const typesSource = `import express from 'express';
import Koa from 'koa';
import { bearerJwt, createSessionGuard, firstOf, header, isSessionGuardError, requireActiveSession, type SessionAuth, type SessionGuardErrorCode } from 'genauth-session-guard';
import { requireActiveSession as requireActiveSessionKoa } from 'genauth-session-guard/koa';
import { createFakeGenAuth, type FakeGenAuth } from 'genauth-session-guard/testing';
import { redisStore, type RedisStoreOptions } from 'genauth-session-guard/redis';

export const makeStore = (options: RedisStoreOptions) => redisStore(options);

export async function build(): Promise<void> {
  const fake: FakeGenAuth = await createFakeGenAuth();
  const guard = createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    identity: firstOf(bearerJwt({ issuer: fake.issuer, audience: 'app' }), header('x-user-id')),
    onUpstreamError: 'allow-stale',
    staleIfErrorMs: 10_000,
  });
  const app = express();
  app.get('/admin', requireActiveSession('app', { guard }), (req, res) => {
    const auth: SessionAuth | undefined = req.auth;
    res.json({ userId: auth?.userId });
  });
  new Koa().use(requireActiveSessionKoa('app', { guard })).use((ctx) => {
    const userId: string = ctx.state.auth.userId;
    ctx.body = { userId };
  });
  const error: unknown = new Error('x');
  if (isSessionGuardError(error)) {
    const code: SessionGuardErrorCode = error.code;
    void code;
  }
  await guard.close();
  await fake.close();
}
`;

const tsconfig = {
  compilerOptions: {
    module: 'node16',
    moduleResolution: 'node16',
    target: 'ES2022',
    strict: true,
    noEmit: true,
    esModuleInterop: true,
    // As `tsc --init` sets it: @types/koa 3.0 does not type-check against content-disposition 1.x's own types.
    skipLibCheck: true,
    types: ['node'],
  },
  files: ['types-esm.mts', 'types-cjs.cts'],
};

const temp = mkdtempSync(join(tmpdir(), 'genauth-session-guard-smoke-'));
let failed = false;
try {
  const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', temp], root, { capture: true }));
  const tarball = join(temp, packed[0].filename);
  console.log(`packed ${packed[0].filename}: ${packed[0].files.length} files, ${packed[0].size} bytes`);

  const project = join(temp, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke-project', private: true, version: '0.0.0' }));
  // express, koa and the types at the versions of this repository (from npm's cache when it has them).
  const deps = ['express', 'koa', '@types/express', '@types/koa', '@types/node'].map((name) => `${name}@${versionOf(name)}`);
  run(npm, ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps], project);

  writeFileSync(join(project, 'smoke.mjs'), esmScript);
  writeFileSync(join(project, 'smoke.cjs'), cjsScript);
  run(process.execPath, ['smoke.mjs'], project);
  run(process.execPath, ['smoke.cjs'], project);

  writeFileSync(join(project, 'types-esm.mts'), typesSource);
  writeFileSync(join(project, 'types-cjs.cts'), typesSource);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
  console.log('  ok types: ., ./koa, ./testing, ./redis type-check under node16 as ESM (.mts) and CommonJS (.cts)');
} catch (error) {
  failed = true;
  console.error(`smoke-package FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log('smoke-package: the packed package works from import and require, with types');
