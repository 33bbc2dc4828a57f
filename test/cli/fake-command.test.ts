import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { bearerJwt, createSessionGuard } from '../../src/index';
import { buildApp } from '../../examples/quick-start/app';
import { runCli } from '../../src/cli/run-cli';

const ROOT = path.resolve(__dirname, '../..');

/** Runs `genauth-session-guard fake <argv>` in-process; `stop()` is what SIGINT does in the CLI. */
function startFake(argv: string[]) {
  let out = '';
  let err = '';
  let stop: () => void = () => {
    throw new Error('the command did not ask to be told when to stop');
  };
  let exit!: Promise<number>;
  const printed = new Promise<void>((resolve) => {
    const done = runCli(['fake', ...argv], {}, {
      out: (text) => {
        out += text;
        resolve();
      },
      err: (text) => void (err += text),
    }, (callback) => {
      stop = callback;
    });
    void done.then(() => resolve());
    exit = done;
  });
  return { printed, get out() { return out; }, get err() { return err; }, stop: () => stop(), get exit() { return exit; } };
}

/** `export A=1 B=2` lines, as the shell would read them (values are printed unquoted or single-quoted). */
function exportsOf(out: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of out.split('\n').filter((each) => each.startsWith('export '))) {
    for (const [, name, value] of line.slice(7).matchAll(/([A-Z_0-9]+)=('[^']*'|\S+)/g)) variables[name!] = value!.replace(/^'|'$/g, '');
  }
  return variables;
}

describe('npx genauth-session-guard fake', () => {
  it('prints the variables and a token per user that a guard accepts, and stops when told', async () => {
    const run = startFake(['--user', 'alice', '--user', 'bob', '--app', 'admin-app']);
    await run.printed;
    const env = exportsOf(run.out);
    expect(Object.keys(env).sort()).toEqual(['GENAUTH_ACCESS_KEY_ID', 'GENAUTH_ACCESS_KEY_SECRET', 'GENAUTH_HOST', 'GENAUTH_ISSUER', 'TOKEN_ALICE', 'TOKEN_BOB']);
    expect(env.GENAUTH_HOST).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const guard = createSessionGuard({
      host: env.GENAUTH_HOST,
      accessKeyId: env.GENAUTH_ACCESS_KEY_ID,
      accessKeySecret: env.GENAUTH_ACCESS_KEY_SECRET,
      identity: bearerJwt({ issuer: env.GENAUTH_ISSUER!, audience: 'admin-app' }),
      retries: 0,
    });
    try {
      const auth = await guard.authenticate({ headers: { authorization: `Bearer ${env.TOKEN_ALICE}` } }, 'admin-app');
      expect(auth).toMatchObject({ userId: 'alice', appId: 'admin-app', session: { active: true } });
      // Only the apps given exist (as at GenAuth, apiCode 2011 for another): a mistyped app id shows at once.
      await expect(guard.checkSession('bob', 'other-app')).rejects.toMatchObject({ code: 'session_check_unavailable' });
    } finally {
      await guard.close();
    }
    run.stop();
    await expect(run.exit).resolves.toBe(0);
    await expect(fetch(`${env.GENAUTH_HOST}/oidc/.well-known/openid-configuration`)).rejects.toThrow();
  });

  it("the printed values run the README's quick-start Express app: 200 for the token's user", async () => {
    const run = startFake(['--app', 'admin-app', '--user', 'alice']);
    await run.printed;
    const env = exportsOf(run.out);
    // As examples/quick-start/server.ts builds it, from the exported variables.
    const guard = createSessionGuard({
      host: env.GENAUTH_HOST,
      accessKeyId: env.GENAUTH_ACCESS_KEY_ID,
      accessKeySecret: env.GENAUTH_ACCESS_KEY_SECRET,
      identity: bearerJwt({ issuer: env.GENAUTH_ISSUER!, audience: 'admin-app' }),
    });
    const server = buildApp(guard, 'admin-app').listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/me`;
      const ok = await fetch(url, { headers: { authorization: `Bearer ${env.TOKEN_ALICE}`, connection: 'close' } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ userId: 'alice' });
      expect((await fetch(url, { headers: { connection: 'close' } })).status).toBe(401);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await guard.close();
      run.stop();
    }
    await expect(run.exit).resolves.toBe(0);
  });

  it('names a token variable per user and app when there are several apps', async () => {
    const run = startFake(['--user', 'ops.lead@example.com', '--app', 'a', '--app', 'b']);
    await run.printed;
    expect(Object.keys(exportsOf(run.out))).toEqual(expect.arrayContaining(['TOKEN_OPS_LEAD_EXAMPLE_COM_A', 'TOKEN_OPS_LEAD_EXAMPLE_COM_B']));
    run.stop();
    await expect(run.exit).resolves.toBe(0);
  });

  it.each([
    [['--usr', 'alice'], /Unknown option '--usr'\. Did you mean '--user'\?/],
    [['--port', 'eighty'], /--port must be a whole number/],
    [['--token-lifetime=-5'], /--token-lifetime must be/],
    [['--app', ' '], /--app must be a non-blank id/],
    [['alice'], /takes no positional arguments/],
  ])('%j is a usage mistake (exit 2)', async (argv, message) => {
    const run = startFake(argv);
    await expect(run.exit).resolves.toBe(2);
    expect(run.err).toMatch(message);
    expect(run.err).toContain('Usage: genauth-session-guard fake');
  });

  it('exits 1 when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const run = startFake(['--port', String(port)]);
      await expect(run.exit).resolves.toBe(1);
      expect(run.err).toContain(`cannot listen on 127.0.0.1:${port} (the port is taken)`);
    } finally {
      taken.close();
    }
  });

  /** The real command in its own process group, as a terminal runs `npx genauth-session-guard fake`. */
  it.each([
    ['SIGINT to the process group (Ctrl-C through npx)', 'SIGINT', true],
    ['SIGTERM to the process (a container stop)', 'SIGTERM', false],
  ] as const)('%s stops it at once', async (_name, signal, group) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'fake', '--user', 'alice'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes('export TOKEN_ALICE=')) {
        if (Date.now() > deadline) throw new Error(`no token printed: ${out}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const host = exportsOf(out).GENAUTH_HOST!;
      expect((await fetch(`${host}/oidc/.well-known/openid-configuration`, { headers: { connection: 'close' } })).status).toBe(200);
      process.kill(group ? -child.pid! : child.pid!, signal);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 5_000)))]);
      clearTimeout(timer);
      expect(code).toBe(0);
    } finally {
      // The whole group: tsx's esbuild service is in it too, holding the output pipes open.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      child.stdout.destroy();
      child.stderr.destroy();
    }
  });
});
