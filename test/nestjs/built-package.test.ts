/**
 * The BUILT package in a Nest app whose own build emits no decorator metadata: the example under examples/nestjs,
 * run by tsx (esbuild, which never emits `design:paramtypes`), importing `genauth-session-guard/nestjs` from a build
 * of this checkout installed in a scratch node_modules. Sources pass while the build fails when an injection relies
 * on metadata (tsup emits none either): this is the test that catches it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

const ROOT = resolve(__dirname, '../..');
const APP = 'app-1';

let scratch: string;
let fake: FakeGenAuth;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'genauth-nest-built-'));
  const modules = join(scratch, 'node_modules');
  const installed = join(modules, 'genauth-session-guard');
  // JavaScript only: the types are checked by scripts/check-package.mjs.
  execFileSync(join(ROOT, 'node_modules/.bin/tsup'), ['--out-dir', join(installed, 'dist'), '--no-dts', '--silent'], { cwd: ROOT, stdio: 'pipe' });
  copyFileSync(join(ROOT, 'package.json'), join(installed, 'package.json'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== '.bin' && name !== 'genauth-session-guard') symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  const app = join(scratch, 'app');
  mkdirSync(app);
  for (const file of ['app.module.ts', 'main.ts', 'main-fastify.ts']) copyFileSync(join(ROOT, 'examples/nestjs', file), join(app, file));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
  // The app's own TypeScript settings: legacy decorators (Nest needs them), no metadata, no path mapping.
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', experimentalDecorators: true, emitDecoratorMetadata: false },
  }));
  fake = await createFakeGenAuth();
});

afterAll(async () => {
  await fake?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Starts `main` with the fake's values in the environment; resolves the URL it prints. */
function startExample(main: string): Promise<{ url: string; child: ChildProcess }> {
  const app = join(scratch, 'app');
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['--tsconfig', join(app, 'tsconfig.json'), join(app, main)], {
    cwd: app,
    env: {
      ...process.env,
      GENAUTH_APP_ID: APP,
      GENAUTH_ISSUER: fake.issuer,
      GENAUTH_HOST: fake.host,
      GENAUTH_ACCESS_KEY_ID: fake.accessKeyId,
      GENAUTH_ACCESS_KEY_SECRET: fake.accessKeySecret,
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening on http:\/\/\S+:(\d+)/.exec(output)?.[1];
      if (port) done({ url: `http://127.0.0.1:${port}`, child });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => fail(new Error(`${main} exited (${code}) before listening:\n${output}`)));
  });
}

describe.each(['main.ts', 'main-fastify.ts'])('examples/nestjs/%s on the built package', (main) => {
  let running: { url: string; child: ChildProcess } | undefined;

  afterEach(() => {
    running?.child.kill();
    running = undefined;
  });

  it('401 without a token, 200 for a live session, 403 without the role and 200 with it, /healthz open', async () => {
    running = await startExample(main);
    const get = (path: string, token?: string) => fetch(`${running!.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const refused = await get('/admin/me');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}"`);
    expect(await refused.json()).toEqual({ error: 'missing_credentials', message: 'No credentials were sent.' });

    const user = `user-${main}`;
    const token = await fake.login(user, APP);
    const passed = await get('/admin/me', token);
    expect(passed.status).toBe(200);
    expect(await passed.json()).toEqual({ userId: user });
    expect((await get('/admin/users', token)).status).toBe(403);
    expect((await get('/healthz')).status).toBe(200);

    const boss = `boss-${main}`;
    fake.assignRole(boss, 'admin');
    const bossToken = await fake.login(boss, APP);
    expect(await (await get('/admin/users', bossToken)).json()).toEqual({ users: [] });
  });
});
