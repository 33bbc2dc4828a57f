import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** The flags every command that calls GenAuth takes: where, with which access key, how, how long, how to print. */
const CONNECTION_FLAGS = {
  host: { type: 'string' },
  'access-key-id': { type: 'string' },
  'access-key-secret': { type: 'string' },
  auth: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** A flag's value, else the environment variable's; trimmed, `undefined` when absent or blank. */
export type TextOf = (flag: string, variable?: string) => string | undefined;

export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  text: TextOf;
}

/**
 * Parses `argv` with the connection flags plus `options`. Throws a {@link UsageError} for an unknown flag; a stray
 * positional is not echoed (it could be a secret pasted in the wrong place), flags are named.
 */
export function parseCommandArgs(
  command: string,
  argv: string[],
  env: Record<string, string | undefined>,
  options: NonNullable<ParseArgsConfig['options']>,
): CommandArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { ...options, ...CONNECTION_FLAGS } }));
  } catch (error) {
    const { code, message } = error as { code?: unknown; message: string };
    throw new UsageError(code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? `${command} takes no positional arguments.` : message);
  }
  const text: TextOf = (flag, variable) => {
    const value = (values[flag] as string | undefined) ?? (variable === undefined ? undefined : env[variable]);
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  return { values, text };
}

/** `--auth` (or `GENAUTH_AUTH`), `token` by default. */
export function authOf(text: TextOf): 'token' | 'signature' {
  const auth = text('auth', 'GENAUTH_AUTH') ?? 'token';
  if (auth !== 'token' && auth !== 'signature') throw new UsageError(`--auth must be 'token' or 'signature'.`);
  return auth;
}

/** `--timeout` in ms, 1 to 600000, `fallback` when absent. */
export function timeoutOf(text: TextOf, fallback: number): number {
  const timeout = text('timeout');
  const timeoutMs = timeout === undefined ? fallback : Number(timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 600_000) {
    throw new UsageError('--timeout must be a whole number of milliseconds between 1 and 600000.');
  }
  return timeoutMs;
}
