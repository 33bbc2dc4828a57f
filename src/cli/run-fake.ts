import { parseArgs } from 'node:util';
import { createFakeGenAuth } from '../testing/create-fake-genauth';
import { isAcceptableAppId } from '../core/app-id';
import { DEFAULT_MAX_USER_ID_LENGTH, isAcceptableUserId } from '../core/user-id';
import { suggestKey } from '../core/known-options';
import type { DoctorIo } from './doctor-report';

export const FAKE_USAGE = `Usage: genauth-session-guard fake [--port N] [--app ID]... [--user ID]...

Runs the fake GenAuth of genauth-session-guard/testing in the foreground, on 127.0.0.1, and prints the
variables that point an app (and doctor) at it, with a signed-in access token for each --user.
Ctrl-C (SIGINT) or SIGTERM stops it.

Options:
  --port <n>                  port to listen on          (default: a free port)
  --app <id>                  an application id; repeat for more (default app-1)
  --user <id>                 sign this user in to each app and print the access token; repeat for more
  --token-lifetime <seconds>  lifetime of those tokens    (default 86400, one day)
  -h, --help                  this help
`;

/** Stops the command: called with the function that shuts the fake down (the CLI wires SIGINT and SIGTERM). */
export type OnStop = (stop: () => void) => void;

interface FakeCommand {
  port: number;
  apps: string[];
  users: string[];
  tokenLifetimeSec: number;
}

class FakeUsageError extends Error {}

function parseFakeArgs(argv: string[]): FakeCommand | 'help' {
  const flags = {
    port: { type: 'string' },
    app: { type: 'string', multiple: true },
    user: { type: 'string', multiple: true },
    'token-lifetime': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: flags }));
  } catch (error) {
    const { code } = error as { code?: unknown };
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = argv.find((arg) => arg.startsWith('-') && !Object.hasOwn(flags, arg.replace(/^--?/, '').split('=')[0]!));
      const name = given?.replace(/^--?/, '').split('=')[0] ?? '';
      const meant = suggestKey(name, Object.keys(flags));
      throw new FakeUsageError(`Unknown option '--${name}'.${meant === undefined ? '' : ` Did you mean '--${meant}'?`}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new FakeUsageError('fake takes no positional arguments.');
    throw new FakeUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new FakeUsageError('--port must be a whole number from 0 to 65535.');
  const lifetime = values['token-lifetime'] === undefined ? 86_400 : Number(values['token-lifetime']);
  if (!Number.isInteger(lifetime) || lifetime <= 0) throw new FakeUsageError('--token-lifetime must be a whole number of seconds above 0.');
  const apps = values.app ?? ['app-1'];
  for (const app of apps) if (!isAcceptableAppId(app)) throw new FakeUsageError('--app must be a non-blank id without control characters.');
  const users = values.user ?? [];
  for (const user of users) if (!isAcceptableUserId(user, DEFAULT_MAX_USER_ID_LENGTH)) throw new FakeUsageError('--user must be a non-blank id without control characters.');
  return { port, apps: [...new Set(apps)], users: [...new Set(users)], tokenLifetimeSec: lifetime };
}

/** `TOKEN_<USER>` (and `_<APP>` when there are several apps), as a shell variable name. */
function variableOf(userId: string, appId: string | undefined, taken: Set<string>): string {
  const part = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'X';
  const base = `TOKEN_${part(userId)}${appId === undefined ? '' : `_${part(appId)}`}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/** A value quoted for a POSIX shell. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * `genauth-session-guard fake`: runs the fake GenAuth until `onStop` calls back, printing the `export` line of the
 * `GENAUTH_*` variables and a token per user. Resolves to the exit code once the fake is closed (0), or 2 on a
 * usage mistake, 1 when it cannot listen (the port is taken).
 */
export async function runFake(argv: string[], io: DoctorIo, onStop: OnStop): Promise<number> {
  let command: FakeCommand | 'help';
  try {
    command = parseFakeArgs(argv);
  } catch (error) {
    if (!(error instanceof FakeUsageError)) throw error;
    io.err(`genauth-session-guard fake: ${error.message}\n\n${FAKE_USAGE}`);
    return 2;
  }
  if (command === 'help') {
    io.out(FAKE_USAGE);
    return 0;
  }
  let fake;
  try {
    fake = await createFakeGenAuth({ port: command.port, apps: command.apps });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    io.err(`genauth-session-guard fake: cannot listen on 127.0.0.1:${command.port}${code === 'EADDRINUSE' ? ' (the port is taken)' : ''}.\n`);
    return 1;
  }
  const lines = [
    `# Fake GenAuth on ${fake.host} (apps: ${command.apps.join(', ')}). Ctrl-C stops it.`,
    `export GENAUTH_HOST=${fake.host} GENAUTH_ACCESS_KEY_ID=${shellQuote(fake.accessKeyId)} GENAUTH_ACCESS_KEY_SECRET=${shellQuote(fake.accessKeySecret)} GENAUTH_ISSUER=${fake.issuer}`,
  ];
  const taken = new Set<string>();
  for (const user of command.users) {
    for (const app of command.apps) {
      const token = await fake.login(user, app, { expiresInSec: command.tokenLifetimeSec });
      const name = variableOf(user, command.apps.length > 1 ? app : undefined, taken);
      lines.push(`# ${user}, signed in to ${app}: curl -H "authorization: Bearer $${name}" ...`, `export ${name}=${token}`);
    }
  }
  if (command.users.length > 0) {
    const [user] = command.users;
    const [app] = command.apps;
    const name = [...taken][0];
    lines.push(`# check it: npx genauth-session-guard doctor --app-id ${app} --user-id ${shellQuote(user!)} --token "$${name}"`);
  }
  io.out(`${lines.join('\n')}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    onStop(() => {
      if (stopping) return;
      stopping = true;
      // At once: close() ends open connections too; the command does not wait on a client that keeps one.
      fake.close().then(() => resolve(0), () => resolve(0));
    });
  });
}
