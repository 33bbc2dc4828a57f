import { isTrustedTransport, normalizeHost } from '../client/host';
import type { WebhookRegistration } from '../client/genauth-client';
import { MIN_WEBHOOK_SECRET_LENGTH, webhookSecretProblem } from '../webhook/webhook-secret-rule';
import { authOf, parseCommandArgs, timeoutOf, UsageError } from './cli-args';

/**
 * The events the receiver acts on (see docs/webhooks.md): the ones that end sessions, the ones after which a cached
 * "inactive" must not keep a user out, and the role and permission changes (names from `CreateWebhookDto`).
 */
export const DEFAULT_WEBHOOK_EVENTS: readonly string[] = [
  'kick',
  'user:blocked',
  'user:archived',
  'user:deleted',
  'user:password-changed',
  'user:updated',
  'login',
  'user:unblocked',
  'user:unarchived',
  'permission:add',
  'permission:revoke',
  'role:assigned',
  'role:unassigned',
  'role:updated',
  'role:disable',
  'role:deleted',
];

/** What `webhook register` does, read from the flags, then the `GENAUTH_*` variables. */
export interface WebhookRegisterOptions {
  host: string;
  accessKeyId: string;
  accessKeySecret: string;
  auth: 'token' | 'signature';
  timeoutMs: number;
  json: boolean;
  webhook: WebhookRegistration;
}

export const WEBHOOK_USAGE = `Usage: genauth-session-guard webhook register --url <url> [options]

Registers a webhook at GenAuth (POST /api/v3/create-webhook) that delivers the events the receiver
(genauthWebhook) acts on, and prints its id. The secret is never printed.

Options (some fall back to an environment variable):
  --url <url>                 where GenAuth delivers: https (plain http for loopback hosts only)
  --secret <s>                the webhook secret, at least ${MIN_WEBHOOK_SECRET_LENGTH} characters  GENAUTH_WEBHOOK_SECRET (safer: not shown in ps)
  --events <list>             comma-separated event names (default: the ones the receiver acts on:
                              ${DEFAULT_WEBHOOK_EVENTS.slice(0, 5).join(', ')},
                              ${DEFAULT_WEBHOOK_EVENTS.slice(5, 10).join(', ')},
                              ${DEFAULT_WEBHOOK_EVENTS.slice(10).join(', ')})
  --content-type json|form    body encoding of the deliveries          (default json)
  --name <name>               the webhook's name                       (default genauth-session-guard)
  --disabled                  register it disabled
  --host <url>                GenAuth host               GENAUTH_HOST (default https://api.genauth.ai)
  --access-key-id <id>        user pool id or access key GENAUTH_ACCESS_KEY_ID
  --access-key-secret <s>     its secret                 GENAUTH_ACCESS_KEY_SECRET
  --auth token|signature      how calls authenticate     GENAUTH_AUTH (default token)
  --timeout <ms>              of the call                (default 10000; not retried: a retry could register twice)
  --json                      one JSON document on stdout
  -h, --help                  this help

Exit code: 0 when GenAuth registered the webhook, 1 when it refused or could not be asked, 2 on a usage mistake.`;

const DEFAULT_TIMEOUT_MS = 10_000;
const EVENT_NAME = /^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)?$/i;
const CONTENT_TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded' } as const;

/** Reads `webhook register`'s flags over the environment. Throws a {@link UsageError}; no value is echoed. */
export function parseWebhookRegisterOptions(argv: string[], env: Record<string, string | undefined>): WebhookRegisterOptions | 'help' {
  const { values, text } = parseCommandArgs('webhook register', argv, env, {
    url: { type: 'string' },
    secret: { type: 'string' },
    events: { type: 'string' },
    'content-type': { type: 'string' },
    name: { type: 'string' },
    disabled: { type: 'boolean' },
  });
  if (values.help) return 'help';

  const url = webhookUrl(text('url'));
  const secret = text('secret', 'GENAUTH_WEBHOOK_SECRET');
  if (secret === undefined) throw new UsageError('--secret (or GENAUTH_WEBHOOK_SECRET) is required: the receiver checks it on every delivery.');
  const problem = webhookSecretProblem(secret);
  if (problem !== undefined) throw new UsageError(`the webhook secret ${problem}.`);
  const rawEvents = text('events');
  const events = rawEvents === undefined ? [...DEFAULT_WEBHOOK_EVENTS] : [...new Set(rawEvents.split(',').map((name) => name.trim()).filter((name) => name !== ''))];
  if (events.length === 0 || !events.every((name) => name.length <= 64 && EVENT_NAME.test(name))) {
    throw new UsageError('--events must be a comma-separated list of event names such as kick,user:blocked.');
  }
  const contentType = text('content-type') ?? 'json';
  if (contentType !== 'json' && contentType !== 'form') throw new UsageError(`--content-type must be 'json' or 'form'.`);
  const name = text('name') ?? 'genauth-session-guard';
  if (name.length > 100) throw new UsageError('--name must be at most 100 characters.');

  let host: string;
  try {
    host = normalizeHost(text('host', 'GENAUTH_HOST') ?? 'https://api.genauth.ai');
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^genauth-session-guard: /, ''));
  }
  const accessKeyId = text('access-key-id', 'GENAUTH_ACCESS_KEY_ID');
  const accessKeySecret = text('access-key-secret', 'GENAUTH_ACCESS_KEY_SECRET');
  if (accessKeyId === undefined || accessKeySecret === undefined) {
    throw new UsageError('the access key is required: set GENAUTH_ACCESS_KEY_ID and GENAUTH_ACCESS_KEY_SECRET (or --access-key-id, --access-key-secret).');
  }
  const auth = authOf(text);
  const timeoutMs = timeoutOf(text, DEFAULT_TIMEOUT_MS);
  return {
    host,
    accessKeyId,
    accessKeySecret,
    auth,
    timeoutMs,
    json: values.json === true,
    webhook: { name, url, events, contentType: CONTENT_TYPES[contentType], enabled: values.disabled !== true, secret },
  };
}

/** The delivery URL: http(s), https unless loopback (the secret travels with every delivery), no credentials. */
function webhookUrl(raw: string | undefined): string {
  if (raw === undefined) throw new UsageError('--url is required: where GenAuth delivers the events, e.g. https://app.example.com/hooks/genauth.');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('--url is not a valid URL; expected e.g. https://app.example.com/hooks/genauth.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('--url must use https.');
  if (!isTrustedTransport(url)) {
    throw new UsageError('--url must use https (plain http is accepted for loopback hosts only): the secret travels with every delivery.');
  }
  if (url.username || url.password) throw new UsageError('--url must not carry credentials.');
  if (url.hash) throw new UsageError('--url must not carry a fragment.');
  return url.href;
}
