import type { DoctorIo } from './doctor-report';
import { runDoctor } from './run-doctor';
import { runWebhook } from './run-webhook';
import { runFake, type OnStop } from './run-fake';

const USAGE = `Usage: genauth-session-guard <command>

Commands:
  doctor              check the GenAuth configuration step by step (--help for its options)
  webhook register    register a webhook at GenAuth for the receiver (--help for its options)
  fake                run a fake GenAuth locally and print the variables and tokens to use it (--help)
`;

/**
 * The `genauth-session-guard` command: dispatches to a subcommand; resolves to the exit code. `onStop` is how a
 * long-running command (`fake`) learns that it must stop (the CLI wires SIGINT and SIGTERM to it).
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: DoctorIo,
  onStop: OnStop = () => undefined,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'fake') return runFake(rest, io, onStop);
  if (command === 'doctor') return runDoctor(rest, env, io);
  if (command === 'webhook') return runWebhook(rest, env, io);
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  // The word is not echoed: it could be a secret pasted in the wrong place.
  io.err(`${command === undefined ? 'No command given.' : 'Unknown command.'}\n\n${USAGE}`);
  return 2;
}
