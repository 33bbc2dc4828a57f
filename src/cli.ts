#!/usr/bin/env node
/**
 * The `genauth-session-guard` command (`npx genauth-session-guard doctor`, `... webhook register`, `... fake`).
 * @packageDocumentation
 */
import { runCli } from './cli/run-cli';

// Only a long-running command (fake) asks to be told: the others keep Node's default for Ctrl-C (exit at once).
const onStop = (stop: () => void) => {
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

runCli(process.argv.slice(2), process.env, {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}, onStop).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`genauth-session-guard: ${error instanceof Error ? error.name : 'error'}\n`);
    process.exitCode = 1;
  },
);
