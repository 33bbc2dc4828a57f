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
//   4. the entry points type-check, with this repository's TypeScript, under moduleResolution node16 as ESM
//      (.mts) and as CommonJS (.cts), and under moduleResolution bundler;
//   5. `./nestjs`: a Nest 11 app (decorators applied as functions: plain JavaScript has none) guards a route from
//      `import` and from `require`, its types check in the same three settings, and the root entry loads no
//      @nestjs/* module (its import graph in dist/ names none; nothing under @nestjs in require.cache).
//   6. `./opentelemetry` and `./prometheus`: from `import` and `require`, with @opentelemetry/api and prom-client
//      installed, a guarded call is seen by both (a span, a counted decision); their types check; the root entry
//      loads neither.
//   9. the examples the README and docs/*.md quote (`<!-- quote: examples/... -->`) type-check against the installed
//      package, as a user's project compiles them: ESM under moduleResolution nodenext, and bundler.
//   8. `./hono` and `./web` (with hono from the registry): a Hono app through app.request() and authenticateRequest
//      answer 200 / 401 from import and from require, and type-check the same ways; the root entry loads no hono.
//   7. (issue 20, test net) the packed CLI, through `npx` in the scratch project: `--help`, `doctor --help` and
//      `fake --help` print their usage and exit 0; `fake --user alice` prints a token that a guard (from the packed
//      package) accepts against the very fake it started, then SIGINT to its process group (Ctrl-C) stops it with
//      exit 0. The shipped declarations (every dist/*.d.ts and *.d.cts) type-check with skipLibCheck false, together
//      with every type library they reach (express, koa, Nest, redis, OpenTelemetry, prom-client, node), except
//      content-disposition's own types: @types/koa 3 names `contentDisposition.Options`, which content-disposition 2
//      (koa's dependency) no longer declares, so a stub that declares it stands in (tsconfig `paths`).
// Exits 1 on any failure; the temporary directory is removed either way (kept with --keep).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

// ./nestjs: the same answers through a Nest app (platform-express), built without decorator syntax.
const nestChecks = String.raw`
async function nestCheck(kind, nestLib, testing, common, core) {
  const APP = 'smoke-app';
  const fake = await testing.createFakeGenAuth();
  const guard = nestLib.createSessionGuard({
    host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret,
    identity: nestLib.bearerJwt({ issuer: fake.issuer, audience: APP }),
  });
  class AdminController {
    me(auth) { return { userId: auth.userId }; }
    open() { return { ok: true }; }
  }
  const proto = AdminController.prototype;
  const method = (name) => Object.getOwnPropertyDescriptor(proto, name);
  common.Get('me')(proto, 'me', method('me'));
  nestLib.SessionAuth()(proto, 'me', 0);
  common.Get('open')(proto, 'open', method('open'));
  nestLib.Public()(proto, 'open', method('open'));
  common.Controller('admin')(AdminController);
  class AppModule {}
  common.Module({
    imports: [nestLib.SessionGuardModule.forRoot({ guard, appId: APP })],
    controllers: [AdminController],
    providers: [{ provide: core.APP_GUARD, useClass: nestLib.ActiveSessionGuard }],
  })(AppModule);
  const app = await core.NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = 'http://127.0.0.1:' + app.getHttpServer().address().port + '/admin';
  try {
    const token = await fake.login('alice', APP);
    const ok = await fetch(base + '/me', { headers: { authorization: 'Bearer ' + token } });
    const okBody = await ok.json();
    if (ok.status !== 200 || okBody.userId !== 'alice') throw new Error(kind + ' nestjs: expected 200 for alice, got ' + ok.status + ' ' + JSON.stringify(okBody));
    const refused = await fetch(base + '/me');
    const refusedBody = await refused.json();
    if (refused.status !== 401 || refusedBody.error !== 'missing_credentials' || refused.headers.get('www-authenticate') !== 'Bearer realm="' + APP + '"') {
      throw new Error(kind + ' nestjs: expected 401 missing_credentials with a challenge, got ' + refused.status + ' ' + JSON.stringify(refusedBody));
    }
    if ((await fetch(base + '/open')).status !== 200) throw new Error(kind + ' nestjs: @Public() route not open');
    console.log('  ok ' + kind + ' nestjs: 200 with a live session, 401 missing_credentials without a token, @Public open');
  } finally {
    app.getHttpServer().closeAllConnections();
    await app.close();
    await guard.close();
    await fake.close();
  }
}
`;

const nestEsmScript = `import { createRequire } from 'node:module';
import * as nestLib from 'genauth-session-guard/nestjs';
import * as testing from 'genauth-session-guard/testing';
const require = createRequire(import.meta.url);
${nestChecks}
await nestCheck('import', nestLib, testing, require('@nestjs/common'), require('@nestjs/core'));
`;

const nestCjsScript = `'use strict';
const lib = require('genauth-session-guard');
if (Object.keys(require.cache).some((path) => /[\\\\/]@nestjs[\\\\/]/.test(path))) {
  throw new Error('require("genauth-session-guard") loaded @nestjs/*');
}
${nestChecks}
nestCheck('require', require('genauth-session-guard/nestjs'), require('genauth-session-guard/testing'), require('@nestjs/common'), require('@nestjs/core'))
  .catch((error) => { console.error(error); process.exitCode = 1; });
`;

// ./opentelemetry and ./prometheus: one guarded call against the shipped fake, seen by both.
const observabilityChecks = String.raw`
async function observabilityCheck(kind, lib, otelLib, promLib, testing, api, promClient) {
  const fake = await testing.createFakeGenAuth();
  const spans = [];
  const tracerProvider = { getTracer: () => ({ startSpan: (name) => { const span = { name, setAttribute() {}, setStatus() {}, end() { spans.push(name); } }; return span; } }) };
  const stop = otelLib.instrumentSessionGuard({ tracerProvider });
  const registry = new promClient.Registry();
  const metrics = promLib.registerSessionGuardMetrics({ registry });
  const guard = lib.createSessionGuard({ host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: lib.header('x-user-id') });
  try {
    await fake.login('alice', 'app-1');
    await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, 'app-1');
    if (!spans.includes('GenAuth check-session-status')) throw new Error(kind + ' opentelemetry: no span for check-session-status, got ' + JSON.stringify(spans));
    const text = await registry.metrics();
    if (!text.includes('genauth_guard_decisions_total{outcome="pass",code=""} 1')) throw new Error(kind + ' prometheus: the pass was not counted: ' + text);
    if (typeof api.trace.getTracerProvider !== 'function') throw new Error(kind + ': @opentelemetry/api did not load');
    console.log('  ok ' + kind + ' opentelemetry + prometheus: a span per GenAuth call, decisions counted');
  } finally {
    stop();
    metrics.unregister();
    await guard.close();
    await fake.close();
  }
}
`;

const observabilityEsmScript = `import * as lib from 'genauth-session-guard';
import * as otelLib from 'genauth-session-guard/opentelemetry';
import * as promLib from 'genauth-session-guard/prometheus';
import * as testing from 'genauth-session-guard/testing';
import * as api from '@opentelemetry/api';
import promClient from 'prom-client';
${observabilityChecks}
await observabilityCheck('import', lib, otelLib, promLib, testing, api, promClient);
`;

const observabilityCjsScript = `'use strict';
require('genauth-session-guard');
if (Object.keys(require.cache).some((path) => /[\\/](@opentelemetry|prom-client)[\\/]/.test(path))) {
  throw new Error('require("genauth-session-guard") loaded @opentelemetry/* or prom-client');
}
${observabilityChecks}
observabilityCheck('require', require('genauth-session-guard'), require('genauth-session-guard/opentelemetry'), require('genauth-session-guard/prometheus'),
  require('genauth-session-guard/testing'), require('@opentelemetry/api'), require('prom-client'))
  .catch((error) => { console.error(error); process.exitCode = 1; });
`;

// --- 7. The packed CLI and the shipped declarations (issue 20, test net) -------------------------------------------
const cliScript = String.raw`import { execFileSync, spawn } from 'node:child_process';
import * as lib from 'genauth-session-guard';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
for (const [args, usage] of [[['--help'], 'Usage: genauth-session-guard <command>'], [['doctor', '--help'], 'Usage: genauth-session-guard doctor'], [['fake', '--help'], 'Usage: genauth-session-guard fake']]) {
  const out = execFileSync(npx, ['--no-install', 'genauth-session-guard', ...args], { encoding: 'utf8', timeout: 60_000 });
  if (!out.startsWith(usage)) throw new Error('npx genauth-session-guard ' + args.join(' ') + ': expected "' + usage + '...", got ' + JSON.stringify(out.slice(0, 200)));
  console.log('  ok npx genauth-session-guard ' + args.join(' ') + ': its usage, exit 0');
}
/**
 * Starts 'fake --user alice' in its own process group, checks its token against the fake it started, sends SIGINT to
 * the group (what Ctrl-C in a terminal does) and waits for the exit; resolves to how it ended.
 */
async function fakeRun(label, command, args) {
  const child = spawn(command, [...args, 'fake', '--user', 'alice'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  child.stderr.on('data', (chunk) => { err += chunk; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const deadline = Date.now() + 60_000;
    while (!/^export TOKEN_ALICE=\S+$/m.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(label + ' fake --user alice printed no token: ' + JSON.stringify({ out, err, exitCode: child.exitCode }));
      await sleep(50);
    }
    const env = {};
    for (const line of out.split('\n').filter((each) => each.startsWith('export '))) {
      for (const [, name, value] of line.slice(7).matchAll(/([A-Z_0-9]+)=('[^']*'|\S+)/g)) env[name] = value.replace(/^'|'$/g, '');
    }
    const app = /^# alice, signed in to (\S+):/m.exec(out)?.[1];
    if (!app || !env.GENAUTH_HOST || !env.GENAUTH_ISSUER) throw new Error(label + ' fake --user alice: no app, host or issuer in ' + JSON.stringify(out));
    const guard = lib.createSessionGuard({
      host: env.GENAUTH_HOST, accessKeyId: env.GENAUTH_ACCESS_KEY_ID, accessKeySecret: env.GENAUTH_ACCESS_KEY_SECRET,
      identity: lib.bearerJwt({ issuer: env.GENAUTH_ISSUER, audience: app }), retries: 0,
    });
    try {
      const auth = await guard.authenticate({ headers: { authorization: 'Bearer ' + env.TOKEN_ALICE } }, app);
      if (auth.userId !== 'alice' || auth.session.active !== true || auth.session.source !== 'upstream') {
        throw new Error(label + ' fake --user alice: the token was not accepted as a live session: ' + JSON.stringify(auth));
      }
      const forged = await guard.authenticate({ headers: { authorization: 'Bearer ' + env.TOKEN_ALICE.slice(0, -4) + 'AAAA' } }, app).then(() => undefined, (error) => error);
      if (!lib.isSessionGuardError(forged) || forged.status !== 401) throw new Error(label + ' fake --user alice: a forged token was not refused 401: ' + String(forged));
    } finally {
      await guard.close();
    }
    console.log('  ok ' + label + ' fake --user alice: its token is a live session at the fake it started (' + app + '), a forged one is refused');
    process.kill(-child.pid, 'SIGINT');
    const ended = await Promise.race([exited, sleep(15_000).then(() => undefined)]);
    if (!ended) throw new Error(label + ' fake: still running 15 s after SIGINT to its process group');
    const stopped = await fetch(env.GENAUTH_HOST + '/api/v3/check-session-status', { method: 'POST' }).then(() => false, () => true);
    if (!stopped) throw new Error(label + ' fake: the fake still answers after SIGINT');
    return { ...ended, err };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }
  }
}

// The packed bin itself, as a container's command runs it: SIGINT to its group, exit 0.
const direct = await fakeRun('node_modules/.bin/genauth-session-guard', process.execPath, ['node_modules/.bin/genauth-session-guard']);
if (direct.code !== 0) throw new Error('fake: SIGINT to its process group ended it with ' + JSON.stringify(direct) + ', not exit 0');
console.log('  ok node_modules/.bin/genauth-session-guard fake: SIGINT to its process group, exit 0, the fake closed');
// Through npx, as the README runs it: npm runs the bin under sh; dash (Debian's sh), once its child has exited
// after a SIGINT it also received, ends itself by SIGINT and npm reports that (a shell shows 130). The command
// under it exited 0 (above); here the chain must stop at once and the fake be closed.
const viaNpx = await fakeRun('npx genauth-session-guard', npx, ['--no-install', 'genauth-session-guard']);
if (viaNpx.code !== 0 && viaNpx.signal !== 'SIGINT') throw new Error('npx fake: SIGINT to its process group ended it with ' + JSON.stringify(viaNpx));
console.log('  ok npx genauth-session-guard fake: SIGINT to its process group stops it (' + (viaNpx.code === 0 ? 'exit 0' : 'npm reports SIGINT, as a shell shows 130') + '), the fake closed');
`;

/**
 * Stands in for content-disposition's own types (koa's dependency, not ours) in the declarations check: @types/koa 3
 * names `contentDisposition.Options`, which content-disposition 2 no longer declares.
 */
const contentDispositionStub = `declare function contentDisposition(filename?: string, options?: contentDisposition.Options): string;
declare namespace contentDisposition {
  interface Options {
    type?: string;
    fallback?: string | boolean;
  }
  function parse(value: string): { type: string; parameters: Record<string, string> };
}
export = contentDisposition;
`;

/** Runs the packed CLI from the scratch project, then type-checks the shipped declarations with skipLibCheck false. */
function checkCliAndDeclarations(project) {
  writeFileSync(join(project, 'smoke-cli.mjs'), cliScript);
  run(process.execPath, ['smoke-cli.mjs'], project);

  const dist = join(project, 'node_modules', 'genauth-session-guard', 'dist');
  const declarations = readdirSync(dist).filter((name) => /\.d\.c?ts$/.test(name)).map((name) => `node_modules/genauth-session-guard/dist/${name}`);
  if (declarations.length < 14) throw new Error(`only ${declarations.length} declaration files in dist: ${declarations.join(' ')}`);
  mkdirSync(join(project, 'stubs'), { recursive: true });
  writeFileSync(join(project, 'stubs', 'content-disposition.d.ts'), contentDispositionStub);
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022', strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16',
      skipLibCheck: false, types: ['node'],
      paths: { 'content-disposition': ['./stubs/content-disposition.d.ts'] },
    },
    files: declarations,
  };
  writeFileSync(join(project, 'tsconfig.declarations.json'), JSON.stringify(tsconfig, null, 2));
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.declarations.json'], project);
  console.log(`  ok declarations: ${declarations.length} shipped .d.ts/.d.cts files type-check with skipLibCheck false (content-disposition stubbed for @types/koa)`);
}
// --- end of 7 ------------------------------------------------------------------------------------------------------

/** The bare imports reachable from an entry file of the build through its relative imports (ESM and CJS). */
function bareImports(dir, entry) {
  const seen = new Set();
  const bare = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["']([^"']+)["']/g)) {
      if (specifier.startsWith('./')) visit(join(dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(entry);
  return bare;
}

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
import {
  ActiveSessionGuard,
  Roles,
  SessionGuardModule,
  SessionRefusedException,
  type SessionAuth as NestSessionAuth,
  type SessionGuardModuleOptions,
} from 'genauth-session-guard/nestjs';

export function nestModule(options: SessionGuardModuleOptions) {
  const roles: ClassDecorator & MethodDecorator = Roles('admin', { code: 'auditor', namespace: 'finance' });
  const refused = (error: SessionRefusedException): number => error.refusal.status + error.getStatus();
  const userId = (auth: NestSessionAuth): string => auth.userId;
  return { module: SessionGuardModule.forRoot(options), guard: ActiveSessionGuard, roles, refused, userId };
}

export const makeStore = (options: RedisStoreOptions) => redisStore(options);

import { instrumentSessionGuard, type InstrumentSessionGuardOptions } from 'genauth-session-guard/opentelemetry';
import { registerSessionGuardMetrics, type SessionGuardMetrics } from 'genauth-session-guard/prometheus';
import { channels, subscribe } from 'genauth-session-guard';
export function observe(options: InstrumentSessionGuardOptions): { stop: () => void; metrics: SessionGuardMetrics } {
  subscribe(channels.decision, (event) => event.code?.length);
  return { stop: instrumentSessionGuard(options), metrics: registerSessionGuardMetrics() };
}

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

// ./hono and ./web: a Hono app through app.request() (no server) and authenticateRequest on a Web Request.
const webChecks = String.raw`
async function checkWeb(kind, honoLib, webLib, testing, Hono) {
  const APP = 'smoke-app';
  const fake = await testing.createFakeGenAuth();
  const guard = webLib.createSessionGuard({
    host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret,
    identity: webLib.bearerJwt({ issuer: fake.issuer, audience: APP }),
  });
  try {
    if (honoLib.SessionGuardError !== webLib.SessionGuardError) throw new Error('./hono and ./web carry different SessionGuardError classes');
    const app = new Hono();
    app.get('/admin', honoLib.requireActiveSession(APP, { guard }), (c) => c.json({ userId: c.var.auth.userId }));
    const token = await fake.login('alice', APP);
    const web = async (request) => {
      const { auth, response } = await webLib.authenticateRequest(request, APP, { guard });
      return response ?? Response.json({ userId: auth.userId });
    };
    for (const [name, handle] of [['hono', (request) => app.request(request)], ['web', web]]) {
      const ok = await handle(new Request('http://localhost/admin', { headers: { authorization: 'Bearer ' + token } }));
      const okBody = await ok.json();
      if (ok.status !== 200 || okBody.userId !== 'alice') throw new Error(kind + ' ' + name + ': expected 200 for alice, got ' + ok.status + ' ' + JSON.stringify(okBody));
      const refused = await handle(new Request('http://localhost/admin'));
      const refusedBody = await refused.json();
      if (refused.status !== 401 || refusedBody.error !== 'missing_credentials' || !refused.headers.get('www-authenticate')) {
        throw new Error(kind + ' ' + name + ': expected 401 missing_credentials, got ' + refused.status + ' ' + JSON.stringify(refusedBody));
      }
      console.log('  ok ' + kind + ' ' + name + ': 200 with a live session, 401 missing_credentials without a token');
    }
  } finally {
    await guard.close();
    await fake.close();
  }
}
`;

const webEsmScript = `import * as honoLib from 'genauth-session-guard/hono';
import * as webLib from 'genauth-session-guard/web';
import * as testing from 'genauth-session-guard/testing';
import { Hono } from 'hono';
${webChecks}
await checkWeb('import', honoLib, webLib, testing, Hono);
`;

const webCjsScript = `'use strict';
${webChecks}
checkWeb('require', require('genauth-session-guard/hono'), require('genauth-session-guard/web'),
  require('genauth-session-guard/testing'), require('hono').Hono)
  .catch((error) => { console.error(error); process.exitCode = 1; });
`;

// The root entry must not load hono (an optional peer): nothing under node_modules/hono in require's cache, and no
// import of it in the ES module graph of dist/index.js.
const rootLoadsNoHonoScript = `'use strict';
require('genauth-session-guard');
const loaded = Object.keys(require.cache).filter((path) => /[\\\\/]node_modules[\\\\/](hono|@hono)[\\\\/]/.test(path));
if (loaded.length > 0) throw new Error('require(genauth-session-guard) loaded ' + loaded.join(', '));
console.log('  ok require: the root entry loads no hono');
`;

const webTypesSource = `
import { Hono } from 'hono';
import { getSessionAuth, requireActiveSession as requireActiveSessionHono, type SessionVariables } from 'genauth-session-guard/hono';
import { authenticateRequest, type AuthenticateRequestResult } from 'genauth-session-guard/web';

export function buildHono(guard: Parameters<typeof authenticateRequest>[2]['guard']) {
  const app = new Hono<{ Variables: SessionVariables }>();
  app.get('/admin', requireActiveSessionHono('app', { guard }), (c) => c.json({ userId: c.var.auth.userId, same: getSessionAuth(c)?.userId }));
  return app;
}

export async function route(request: Request, guard: Parameters<typeof authenticateRequest>[2]['guard']): Promise<Response> {
  const result: AuthenticateRequestResult = await authenticateRequest(request, 'app', { guard, roles: ['admin'] });
  if (result.response) return result.response;
  return Response.json({ userId: result.auth.userId });
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

/** The files under examples/ that README.md and docs/*.md quote: the code a user copies. */
function quotedExamples() {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
  const quoted = new Set();
  for (const page of pages) {
    for (const [, path] of readFileSync(join(root, page), 'utf8').matchAll(/<!-- quote: (examples\/\S+\.ts) -->/g)) quoted.add(path);
  }
  // The declarations beside them (e.g. the Bun and Deno globals of examples/web, which their own projects type).
  for (const dir of new Set([...quoted].map((path) => dirname(path)))) {
    for (const name of readdirSync(join(root, dir))) if (name.endsWith('.d.ts')) quoted.add(`${dir}/${name}`);
  }
  return [...quoted].sort();
}

/** The packages a set of TypeScript files imports by name (`node:` built-ins and this package left out). */
function packagesImported(dir, files) {
  const names = new Set();
  for (const file of files) {
    for (const [, specifier] of readFileSync(join(dir, file), 'utf8').matchAll(/(?:from\s*|import\s*\(?\s*)["']([^"'.][^"']*)["']/g)) {
      if (specifier.startsWith('node:') || specifier.startsWith('genauth-session-guard')) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return [...names].sort();
}

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
  // An installing project runs none of these for a registry tarball, yet npm 11 lists each as an install script
  // not covered by allowScripts (a warning on every install): the manifest carries none.
  for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
    if (manifest.scripts?.[script] !== undefined) problems.push(`the manifest has a "${script}" script`);
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
  // NestJS 11 for ./nestjs (platform-express: NestFactory.create's default).
  deps.push(...['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs'].map((name) => `${name}@${versionOf(name)}`));
  // The optional peers of ./opentelemetry and ./prometheus.
  deps.push(...['@opentelemetry/api', 'prom-client'].map((name) => `${name}@${versionOf(name)}`));
  // Hono 4 for ./hono.
  deps.push(`hono@${versionOf('hono')}`);
  // The optional peer ./redis's declarations name (for the declarations check of 7).
  deps.push(`redis@${versionOf('redis')}`);
  run(npm, ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps], project);

  writeFileSync(join(project, 'smoke.mjs'), esmScript);
  writeFileSync(join(project, 'smoke.cjs'), cjsScript);
  run(process.execPath, ['smoke.mjs'], project);
  run(process.execPath, ['smoke.cjs'], project);
  for (const entry of ['dist/index.js', 'dist/index.cjs']) {
    const framework = [...bareImports(packageDir, entry)].filter((name) => /^(@nestjs\/|reflect-metadata$|rxjs$)/.test(name));
    if (framework.length > 0) throw new Error(`${entry} loads ${framework.join(', ')}: the root entry must not load NestJS`);
  }
  if (![...bareImports(packageDir, 'dist/nestjs.js')].includes('@nestjs/common')) throw new Error('the import graph walk does not see @nestjs/common in dist/nestjs.js');
  console.log('  ok the root entry (dist/index.js, dist/index.cjs) loads no @nestjs/*, reflect-metadata or rxjs');
  writeFileSync(join(project, 'smoke-nest.mjs'), nestEsmScript);
  writeFileSync(join(project, 'smoke-nest.cjs'), nestCjsScript);
  run(process.execPath, ['smoke-nest.mjs'], project);
  run(process.execPath, ['smoke-nest.cjs'], project);

  for (const entry of ['dist/index.js', 'dist/index.cjs']) {
    const peers = [...bareImports(packageDir, entry)].filter((name) => /^(@opentelemetry\/|prom-client$)/.test(name));
    if (peers.length > 0) throw new Error(`${entry} loads ${peers.join(', ')}: the root entry must not load them`);
  }
  if (![...bareImports(packageDir, 'dist/prometheus.js')].includes('prom-client')) throw new Error('the import graph walk does not see prom-client in dist/prometheus.js');
  writeFileSync(join(project, 'smoke-observability.mjs'), observabilityEsmScript);
  writeFileSync(join(project, 'smoke-observability.cjs'), observabilityCjsScript);
  run(process.execPath, ['smoke-observability.mjs'], project);
  run(process.execPath, ['smoke-observability.cjs'], project);

  // 7. The quoted examples, copied into a project of their own ("type": "module") that uses the installed package.
  const examples = quotedExamples();
  const examplesDir = join(project, 'quoted');
  for (const file of examples) {
    mkdirSync(dirname(join(examplesDir, file)), { recursive: true });
    writeFileSync(join(examplesDir, file), readFileSync(join(root, file)));
  }
  writeFileSync(join(examplesDir, 'package.json'), JSON.stringify({ name: 'quoted-examples', private: true, type: 'module' }));
  const wanted = packagesImported(root, examples);
  const typesOf = wanted.map((name) => `@types/${name.replace(/^@(.*)\/(.*)$/, '$1__$2')}`).filter((name) => existsSync(join(root, 'node_modules', name)));
  const missing = [...wanted, ...typesOf].filter((name) => !existsSync(join(project, 'node_modules', name)));
  if (missing.length > 0) {
    run(npm, ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps, ...missing.map((name) => `${name}@${versionOf(name)}`)], project);
  }
  for (const [name, options] of Object.entries({
    'tsconfig.nodenext.json': { module: 'nodenext', moduleResolution: 'nodenext' },
    'tsconfig.bundler.json': { module: 'esnext', moduleResolution: 'bundler' },
  })) {
    // Nest's decorators are TypeScript's legacy ones; a Nest project turns them on (no other file has decorators).
    const settings = { ...compilerOptions, ...options, experimentalDecorators: true };
    writeFileSync(join(examplesDir, name), JSON.stringify({ compilerOptions: settings, files: examples }, null, 2));
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', name], examplesDir);
  }
  console.log(`  ok the ${examples.length} quoted examples type-check against the package under nodenext (ESM) and bundler: ${examples.join(' ')}`);

  writeFileSync(join(project, 'smoke-web.mjs'), webEsmScript);
  writeFileSync(join(project, 'smoke-web.cjs'), webCjsScript);
  writeFileSync(join(project, 'root-loads-no-hono.cjs'), rootLoadsNoHonoScript);
  run(process.execPath, ['smoke-web.mjs'], project);
  run(process.execPath, ['smoke-web.cjs'], project);
  run(process.execPath, ['root-loads-no-hono.cjs'], project);
  const rootImports = [...bareImports(join(project, 'node_modules', 'genauth-session-guard'), 'dist/index.js')];
  if (rootImports.some((name) => name === 'hono' || name.startsWith('hono/') || name.startsWith('@hono/'))) {
    throw new Error(`dist/index.js imports ${rootImports.join(', ')}: the root entry must not load hono`);
  }
  if (rootImports.length === 0) throw new Error('found no import in the ES module graph of dist/index.js: the scan is broken');
  console.log(`  ok import: the ES module graph of the root entry imports ${rootImports.join(', ')}, no hono`);

  writeFileSync(join(project, 'root-only.mjs'), rootEsmScript);
  writeFileSync(join(project, 'root-only.cjs'), rootCjsScript);
  run(process.execPath, ['root-only.mjs'], project);
  run(process.execPath, ['root-only.cjs'], project);

  // 4. Types, with the TypeScript of this repository.
  for (const name of ['types-esm.mts', 'types-cjs.cts', 'types-bundler.ts']) writeFileSync(join(project, name), typesSource + webTypesSource);
  for (const [name, { files: sources, ...options }] of Object.entries(tsconfigs)) {
    writeFileSync(join(project, name), JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files: sources }, null, 2));
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', name], project);
  }
  console.log('  ok types: ., ./koa, ./fastify, ./nestjs, ./hono, ./web, ./testing, ./redis, ./opentelemetry, ./prometheus type-check under node16 (ESM .mts, CommonJS .cts) and bundler');

  // 7. The packed CLI, and the shipped declarations with skipLibCheck false (issue 20).
  checkCliAndDeclarations(project);
} catch (error) {
  failed = true;
  console.error(`check-package FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (keep) console.log(`kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log('check-package: the packed tarball holds the build and only it, passes publint and are-the-types-wrong, works from import and require and type-checks');
