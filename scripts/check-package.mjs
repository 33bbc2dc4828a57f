#!/usr/bin/env node
// Checks the package npm would publish, from one tarball: `npm pack` on this checkout (no build before it: the
// `prepack` script builds), then on that very tarball:
//   1. contents: only dist/*.js, *.cjs, *.d.ts, *.d.cts, package.json, README.md, LICENSE and CHANGELOG.md; every
//      file the exports map names is there; no source map comment pointing to a file that is not shipped;
//   2. publint --strict and are-the-types-wrong (profile node16: node16 ESM and CJS, bundler);
//   3. installed into a scratch project outside the repository (with express, koa, fastify and their types from
//      the registry, at this repository's versions), `.`, `./koa`, `./fastify` and `./testing` work from `import`
//      and from `require` (a request through Express, Koa and Fastify against the shipped fake: 200 with a live
//      session, 401 without a token), `./redis` loads (no Redis server here); importing `.` loads no framework
//      package (fastify, fastify-plugin, koa, express), from `import` and from `require`;
//   4. all five entry points type-check, with this repository's TypeScript, under moduleResolution node16 as ESM
//      (.mts) and as CommonJS (.cts), and under moduleResolution bundler.
// Exits 1 on any failure; the temporary directory is removed either way (kept with --keep).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const versionOf = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command, failing on a non-zero exit; its output is shown, or returned when `capture` is set. */
function run(command, args, cwd, { capture = false, quiet = false } = {}) {
  if (!quiet) console.log(`$ ${command === process.execPath ? 'node' : command} ${args.join(' ')}`);
  return execFileSync(command, args, { cwd, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
}

/** A devDependency's command, from this repository's node_modules/.bin. */
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

// The same checks for both module systems, given the modules loaded by `import` or by `require`.
const checks = String.raw`
async function check(kind, lib, koaLib, fastifyLib, testing, redisLib, express, Koa, Fastify) {
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
    if (fastifyLib.SessionGuardError !== lib.SessionGuardError) throw new Error('./fastify and . carry different SessionGuardError classes');
    if (typeof redisLib.redisStore !== 'function') throw new Error('./redis does not export redisStore');
    if (typeof lib.firstOf !== 'function' || typeof lib.header !== 'function' || typeof lib.cookie !== 'function') {
      throw new Error('an extractor is missing from the main entry');
    }
    const app = express();
    app.get('/admin', lib.requireActiveSession(APP, { guard }), (req, res) => res.json({ userId: req.auth.userId }));
    const koa = new Koa();
    koa.use(koaLib.requireActiveSession(APP, { guard }));
    koa.use((ctx) => { ctx.body = { userId: ctx.state.auth.userId }; });
    const fastify = Fastify();
    await fastify.register(fastifyLib.sessionGuard, { guard });
    fastify.get('/admin', { onRequest: fastifyLib.requireActiveSession(APP) }, async (request) => ({ userId: request.auth.userId }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ closeAllConnections: () => fastify.server.closeAllConnections(), close: () => fastify.close() });
    const fastifyUrl = 'http://127.0.0.1:' + fastify.server.address().port + '/admin';
    const token = await fake.login('alice', APP);
    for (const [framework, url] of [['express', await listen(app)], ['koa', await listen(koa.callback())], ['fastify', fastifyUrl]]) {
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
import * as fastifyLib from 'genauth-session-guard/fastify';
import * as testing from 'genauth-session-guard/testing';
import * as redisLib from 'genauth-session-guard/redis';
import express from 'express';
import Koa from 'koa';
import Fastify from 'fastify';
${checks}
${mixedCopies}
await check('import', lib, koaLib, fastifyLib, testing, redisLib, express, Koa, Fastify);
await mixedCopies(lib, createRequire(import.meta.url)('genauth-session-guard'), testing, express);
`;

const cjsScript = `'use strict';
const require_http = require('node:http');
${checks}
check('require', require('genauth-session-guard'), require('genauth-session-guard/koa'), require('genauth-session-guard/fastify'),
  require('genauth-session-guard/testing'), require('genauth-session-guard/redis'), require('express'), require('koa'), require('fastify'))
  .catch((error) => { console.error(error); process.exitCode = 1; });
`;

// The root entry loads no framework (they are optional peers): a resolve hook that refuses them (ESM), and
// require.cache after a require of the root (CommonJS).
const FRAMEWORKS = JSON.stringify(['fastify', 'fastify-plugin', 'koa', 'express']);
const rootEsmScript = `import { register } from 'node:module';
const hook = 'export async function resolve(specifier, context, next) {' +
  ' if (${FRAMEWORKS}.includes(specifier.split("/")[0])) throw new Error("the root entry loaded " + specifier);' +
  ' return next(specifier, context); }';
register('data:text/javascript,' + encodeURIComponent(hook));
const lib = await import('genauth-session-guard');
if (typeof lib.createSessionGuard !== 'function') throw new Error('the root entry did not load');
const refused = await import('genauth-session-guard/fastify').then(() => undefined, (error) => error);
if (!String(refused?.message).includes('the root entry loaded fastify')) throw new Error('the resolve hook does not see framework imports');
console.log('  ok import of the root loads no framework package');
`;
const rootCjsScript = `'use strict';
const { sep } = require('node:path');
const frameworks = () => Object.keys(require.cache)
  .filter((path) => ${FRAMEWORKS}.some((name) => path.includes(sep + 'node_modules' + sep + name + sep)));
require('genauth-session-guard');
if (frameworks().length > 0) throw new Error('require of the root entry loaded ' + frameworks().join(', '));
require('genauth-session-guard/fastify');
if (frameworks().length === 0) throw new Error('the require.cache check does not see framework packages');
console.log('  ok require of the root loads no framework package');
`;

// Types as a user's TypeScript project sees them, through the exports map (import and require conditions,
// moduleResolution node16 and bundler).
const typesSource = `import express from 'express';
import Koa from 'koa';
import {
  bearerJwt,
  createSessionGuard,
  firstOf,
  header,
  isSessionGuardError,
  requireActiveSession,
  type SessionAuth,
  type SessionGuardErrorCode,
} from 'genauth-session-guard';
import { requireActiveSession as requireActiveSessionKoa } from 'genauth-session-guard/koa';
import { requireActiveSession as requireActiveSessionFastify, sessionGuard } from 'genauth-session-guard/fastify';
import Fastify from 'fastify';
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
  const fastify = Fastify();
  await fastify.register(sessionGuard, { guard });
  fastify.get('/admin', { onRequest: requireActiveSessionFastify('app', { roles: ['admin'] }) }, async (request) => {
    const auth: SessionAuth | null = request.auth;
    return { userId: auth?.userId };
  });
  const error: unknown = new Error('x');
  if (isSessionGuardError(error)) {
    const answer: { code: SessionGuardErrorCode; status: number } = { code: error.code, status: error.status };
    void answer;
  }
  await guard.close();
  await fake.close();
}
`;

const tsconfigs = {
  // As a Node project compiles: ESM (.mts) and CommonJS (.cts) through the import and require conditions.
  'tsconfig.node16.json': { module: 'node16', moduleResolution: 'node16', files: ['types-esm.mts', 'types-cjs.cts'] },
  // As a bundler (Vite, esbuild, webpack) project compiles: the import condition, extensionless imports allowed.
  'tsconfig.bundler.json': { module: 'esnext', moduleResolution: 'bundler', files: ['types-bundler.ts'] },
};
const compilerOptions = {
  target: 'ES2022',
  strict: true,
  noEmit: true,
  esModuleInterop: true,
  // As `tsc --init` sets it: @types/koa 3.0 does not type-check against content-disposition 1.x's own types.
  skipLibCheck: true,
  types: ['node'],
};

/** What the tarball may hold: the build, the manifest and the documents; nothing else (no src, tests, bench, maps). */
const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts)$/];
const requiredDocuments = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

/** Every file path named by the manifest's entry fields, exports map and commands (`bin`). */
function exportTargets(manifest) {
  const targets = [manifest.main, manifest.module, manifest.types];
  const walk = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.bin);
  return [...new Set(targets.filter(Boolean).map((target) => target.replace(/^\.\//, '')))];
}

/** Fails unless the tarball holds exactly what it should; `files` are paths inside the package. */
function checkContents(files, manifest, packageDir) {
  const problems = [];
  for (const file of files) {
    if (!allowed.some((pattern) => pattern.test(file))) problems.push(`not allowed in the package: ${file}`);
  }
  for (const file of [...requiredDocuments, ...exportTargets(manifest)]) {
    if (!files.includes(file)) problems.push(`missing from the package: ${file}`);
  }
  // A source map comment must lead to a shipped map whose sources are shipped too (none are shipped today).
  for (const file of files.filter((name) => /\.(c?js|d\.c?ts)$/.test(name))) {
    const text = readFileSync(join(packageDir, file), 'utf8');
    for (const [, url] of text.matchAll(/[#@] sourceMappingURL=(\S+)/g)) {
      const map = join(dirname(file), url).replaceAll('\\', '/');
      if (url.startsWith('data:')) problems.push(`${file}: an inline source map (their sources are not shipped)`);
      else if (!files.includes(map)) problems.push(`${file}: source map ${url} is not in the package`);
      else {
        const { sources = [] } = JSON.parse(readFileSync(join(packageDir, map), 'utf8'));
        for (const source of sources) {
          const path = join(dirname(map), source).replaceAll('\\', '/');
          if (!files.includes(path)) problems.push(`${map}: source ${source} is not in the package`);
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(`the tarball's contents are wrong:\n  ${problems.join('\n  ')}`);
}

const keep = process.argv.includes('--keep');
const temp = mkdtempSync(join(tmpdir(), 'genauth-session-guard-package-'));
let failed = false;
try {
  // 0. Pack. Lifecycle output (the prepack build) goes to stdout, so the tarball is found in its own directory.
  const packDir = join(temp, 'pack');
  mkdirSync(packDir);
  run(npm, ['pack', '--pack-destination', packDir, '--loglevel=warn'], root);
  const tarballs = readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs`);
  const tarball = join(packDir, tarballs[0]);

  // 1. Contents, from the tarball itself.
  const files = run('tar', ['-tzf', tarball], temp, { capture: true, quiet: true })
    .split('\n')
    .filter((line) => line && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
  const unpacked = join(temp, 'unpacked');
  mkdirSync(unpacked);
  run('tar', ['-xzf', tarball, '-C', unpacked], temp, { quiet: true });
  const packageDir = join(unpacked, 'package');
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  checkContents(files, manifest, packageDir);
  console.log(`  ok contents: ${tarballs[0]}, ${files.length} files, ${statSync(tarball).size} bytes: ${files.join(' ')}`);

  // 2. The packaging linters, on the same tarball.
  run(bin('publint'), ['run', tarball, '--strict'], root);
  run(bin('attw'), [tarball, '--profile', 'node16'], root);

  // 3. Installed as a user installs it, outside the repository.
  const project = join(temp, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke-project', private: true, version: '0.0.0' }));
  // express, koa and the types at the versions of this repository (from npm's cache when it has them).
  const deps = ['express', 'koa', 'fastify', '@types/express', '@types/koa', '@types/node'].map((name) => `${name}@${versionOf(name)}`);
  run(npm, ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps], project);

  writeFileSync(join(project, 'smoke.mjs'), esmScript);
  writeFileSync(join(project, 'smoke.cjs'), cjsScript);
  run(process.execPath, ['smoke.mjs'], project);
  run(process.execPath, ['smoke.cjs'], project);
  writeFileSync(join(project, 'root-only.mjs'), rootEsmScript);
  writeFileSync(join(project, 'root-only.cjs'), rootCjsScript);
  run(process.execPath, ['root-only.mjs'], project);
  run(process.execPath, ['root-only.cjs'], project);

  // 4. Types, with the TypeScript of this repository.
  for (const name of ['types-esm.mts', 'types-cjs.cts', 'types-bundler.ts']) writeFileSync(join(project, name), typesSource);
  for (const [name, { files: sources, ...options }] of Object.entries(tsconfigs)) {
    writeFileSync(join(project, name), JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files: sources }, null, 2));
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', name], project);
  }
  console.log('  ok types: ., ./koa, ./fastify, ./testing, ./redis type-check under node16 (ESM .mts, CommonJS .cts) and bundler');
} catch (error) {
  failed = true;
  console.error(`check-package FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (keep) console.log(`kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log('check-package: the packed tarball holds the build and only it, passes publint and are-the-types-wrong, works from import and require and type-checks');
