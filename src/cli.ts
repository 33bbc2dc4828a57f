#!/usr/bin/env node
/**
 * The `genauth-session-guard` command (`npx genauth-session-guard doctor`, `... webhook register`).
 * @packageDocumentation
 */
import { runCli } from './cli/run-cli';

runCli(process.argv.slice(2), process.env, {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`genauth-session-guard: ${error instanceof Error ? error.name : 'error'}\n`);
    process.exitCode = 1;
  },
);
