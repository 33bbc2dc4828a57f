import { parseArgs, type ParseArgsConfig } from 'node:util';
import { suggestKey } from '../core/known-options';

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
 * Parses `argv` with the connection flags plus `options`. Throws a {@link UsageError} for an unknown flag, naming it
 * (never its value) and the flag probably meant; a stray positional is not echoed (it could be a secret pasted in
 * the wrong place).
 */
export function parseCommandArgs(
  command: string,
  argv: string[],
  env: Record<string, string | undefined>,
  options: NonNullable<ParseArgsConfig['options']>,
): CommandArgs {
  let values: Record<string, string | boolean | undefined>;
  const flags = { ...options, ...CONNECTION_FLAGS };
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: flags }));
  } catch (error) {
    const { code, message } = error as { code?: unknown; message: string };
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`${command} takes no positional arguments.`);
    throw new UsageError(code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownFlag(argv, flags) ?? message : message);
  }
  const text: TextOf = (flag, variable) => {
    const value = (values[flag] as string | undefined) ?? (variable === undefined ? undefined : env[variable]);
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  return { values, text };
}

/** The first flag of `argv` not in `flags`, named with the flag probably meant; its value is not repeated. */
function unknownFlag(argv: string[], flags: NonNullable<ParseArgsConfig['options']>): string | undefined {
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: argv, strict: false, allowPositionals: true, tokens: true, options: flags }));
  } catch {
    return undefined; // Node's own message then
  }
  const token = tokens.find((each) => each.kind === 'option' && !Object.hasOwn(flags, each.name));
  if (token?.kind !== 'option') return undefined;
  const meant = suggestKey(token.name, Object.keys(flags));
  return `Unknown option '${token.rawName}'.${meant === undefined ? '' : ` Did you mean '--${meant}'?`}`;
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
