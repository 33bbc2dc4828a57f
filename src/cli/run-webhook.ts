import { failureReason } from '../core/failure-reason';
import { createDoctorClient } from './check-genauth';
import { UsageError } from './cli-args';
import { redact, type DoctorIo } from './doctor-report';
import { parseWebhookRegisterOptions, WEBHOOK_USAGE } from './webhook-options';

/**
 * `genauth-session-guard webhook register`: registers a webhook at GenAuth with the management API
 * (`create-webhook`, under the token or the signature scheme) and prints its id. Resolves to the exit code: 0
 * registered, 1 refused or not answered, 2 on a usage mistake. Never prints the webhook secret or the access key
 * secret. In-process, for tests: `env` and `io` are given.
 */
export async function runWebhook(argv: string[], env: Record<string, string | undefined>, io: DoctorIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    io.out(`${WEBHOOK_USAGE}\n`);
    return 0;
  }
  if (subcommand !== 'register') {
    // The word is not echoed: it could be a secret pasted in the wrong place.
    io.err(`genauth-session-guard webhook: ${subcommand === undefined ? 'no subcommand given' : 'unknown subcommand'}.\n\n${WEBHOOK_USAGE}\n`);
    return 2;
  }
  // Anything given is redacted from what is printed, parsed or not.
  const secrets = [env.GENAUTH_WEBHOOK_SECRET, env.GENAUTH_ACCESS_KEY_SECRET, ...flagValues(rest, ['--secret', '--access-key-secret'])];
  let options: ReturnType<typeof parseWebhookRegisterOptions>;
  try {
    options = parseWebhookRegisterOptions(rest, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(redact(`genauth-session-guard webhook register: ${error.message}\n\n${WEBHOOK_USAGE}\n`, secrets));
    return 2;
  }
  if (options === 'help') {
    io.out(`${WEBHOOK_USAGE}\n`);
    return 0;
  }
  secrets.push(options.webhook.secret, options.accessKeySecret);
  const { webhook } = options;
  const shown = { name: webhook.name, url: webhook.url, events: webhook.events, contentType: webhook.contentType, enabled: webhook.enabled };

  const client = createDoctorClient({
    host: options.host,
    accessKeyId: options.accessKeyId,
    accessKeySecret: options.accessKeySecret,
    auth: options.auth,
    timeoutMs: options.timeoutMs,
  });
  let webhookId: string;
  try {
    webhookId = await client.createWebhook(webhook);
  } catch (error) {
    const reason = failureReason(error) ?? 'GenAuth could not be asked';
    io.out(redact(options.json
      ? `${JSON.stringify({ ok: false, error: reason, webhook: shown }, null, 2)}\n`
      : `✗ webhook not registered\n    ${reason}\n`, secrets));
    return 1;
  } finally {
    client.close();
  }
  io.out(redact(options.json
    ? `${JSON.stringify({ ok: true, webhookId, webhook: shown }, null, 2)}\n`
    : [
        `✓ webhook registered: ${webhookId}`,
        `    url ${webhook.url} (${webhook.contentType}${webhook.enabled ? '' : ', disabled'})`,
        `    events ${webhook.events.join(', ')}`,
        '    mount genauthWebhook({ guard, secret }) at that URL, with the same secret',
        '',
      ].join('\n'), secrets));
  return 0;
}

/** The values given to these flags (`--flag value` or `--flag=value`), to redact them even from a usage error. */
function flagValues(argv: string[], flags: string[]): string[] {
  const found: string[] = [];
  argv.forEach((arg, index) => {
    for (const flag of flags) {
      if (arg === flag && argv[index + 1] !== undefined) found.push(argv[index + 1]!);
      else if (arg.startsWith(`${flag}=`)) found.push(arg.slice(flag.length + 1));
    }
  });
  return found.map((value) => value.trim());
}
