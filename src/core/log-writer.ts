import type { Logger } from './types';

/** Writes one event to the app's logger, in the argument order that logger reads. */
export type LogWriter = (message: string, details: Record<string, unknown>) => void;

/**
 * pino (and its child loggers) carry this registered symbol; pino reads `(details, message)`: given
 * `(message, details)` it would take `details` for a format argument and drop it.
 */
const PINO_SERIALIZERS = Symbol.for('pino.serializers');

/**
 * How the guard calls `logger.debug`: `(details, message)` for pino, `(message, details)` for everything else
 * (console, winston, anything with that shape). Decided once, at construction.
 */
export function logWriterFor(logger: Logger): LogWriter {
  if (PINO_SERIALIZERS in logger) {
    const pino = logger as unknown as { debug(details: Record<string, unknown>, message: string): void };
    return (message, details) => pino.debug(details, message);
  }
  return (message, details) => logger.debug(message, details);
}
