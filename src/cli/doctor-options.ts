import { authOf, parseCommandArgs, timeoutOf, UsageError } from './cli-args';

export { UsageError };

/** What `doctor` checks, read from the flags, then the `GENAUTH_*` variables. */
export interface DoctorOptions {
  host: string;
  accessKeyId: string | undefined;
  accessKeySecret: string | undefined;
  auth: 'token' | 'signature';
  issuer: string | undefined;
  appId: string | undefined;
  userId: string | undefined;
  token: string | undefined;
  audience: string | undefined;
  timeoutMs: number;
  json: boolean;
  /** `NODE_TLS_REJECT_UNAUTHORIZED=0` in the environment: TLS is not verified. */
  tlsUnverified: boolean;
}

export const DOCTOR_USAGE = `Usage: genauth-session-guard doctor [options]

Checks, step by step, that this machine can use GenAuth as the guard would.

Options (each falls back to an environment variable):
  --host <url>                GenAuth host               GENAUTH_HOST (default https://api.genauth.ai)
  --access-key-id <id>        user pool id or access key GENAUTH_ACCESS_KEY_ID
  --access-key-secret <s>     its secret                 GENAUTH_ACCESS_KEY_SECRET
  --auth token|signature      how calls authenticate     GENAUTH_AUTH (default token)
  --issuer <url>              OIDC issuer of the tokens  GENAUTH_ISSUER
  --app-id <id>               application id             GENAUTH_APP_ID
  --user-id <id>              check this user's session
  --token <jwt>               verify this access token   GENAUTH_TOKEN (safer: not shown in ps)
  --audience <aud>            expected aud of --token    (default: the app id)
  --timeout <ms>              per request                (default 5000)
  --json                      one JSON document on stdout
  -h, --help                  this help

Exit code: 0 when every check passes (skipped ones included), 1 when one fails, 2 on a usage mistake.
Secrets and tokens are never printed.`;

const DEFAULT_TIMEOUT_MS = 5_000;

/** Reads flags over the environment. Throws a {@link UsageError} for an unknown flag or a bad value. */
export function parseDoctorOptions(argv: string[], env: Record<string, string | undefined>): DoctorOptions | 'help' {
  const { values, text } = parseCommandArgs('doctor', argv, env, {
    issuer: { type: 'string' },
    'app-id': { type: 'string' },
    'user-id': { type: 'string' },
    token: { type: 'string' },
    audience: { type: 'string' },
  });
  if (values.help) return 'help';
  const auth = authOf(text);
  const timeoutMs = timeoutOf(text, DEFAULT_TIMEOUT_MS);
  const appId = text('app-id', 'GENAUTH_APP_ID');
  return {
    host: text('host', 'GENAUTH_HOST') ?? 'https://api.genauth.ai',
    accessKeyId: text('access-key-id', 'GENAUTH_ACCESS_KEY_ID'),
    accessKeySecret: text('access-key-secret', 'GENAUTH_ACCESS_KEY_SECRET'),
    auth,
    issuer: text('issuer', 'GENAUTH_ISSUER'),
    appId,
    userId: text('user-id'),
    token: text('token', 'GENAUTH_TOKEN'),
    audience: text('audience') ?? appId,
    timeoutMs,
    json: values.json === true,
    tlsUnverified: env.NODE_TLS_REJECT_UNAUTHORIZED === '0',
  };
}
