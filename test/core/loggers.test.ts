import { Writable } from 'node:stream';
import pino from 'pino';
import winston from 'winston';
import { APP, asUser, useHarness } from './fixtures';

/** Collects what a logger writes, one JSON object per line. */
function jsonLines() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

/**
 * The loggers the docs name, each passed as it is: the details (user, outcome, source) must arrive as fields, not be
 * dropped. pino reads `(details, message)`: called `(message, details)` it drops every details object.
 */
describe('logger: pino, winston and console as they are', () => {
  const h = useHarness();

  async function passAlice(logger: unknown) {
    const { fake } = h();
    await fake.login('alice', APP);
    const guard = h().guard({ logger } as Record<string, unknown>);
    await guard.authenticate(asUser('alice'), APP);
  }

  it('pino: the details are fields of the line, the message is msg', async () => {
    const { lines, stream } = jsonLines();
    await passAlice(pino({ level: 'debug' }, stream));
    const decision = lines.find((line) => line.msg === 'genauth-session-guard decision');
    expect(decision).toMatchObject({ level: 20, userId: 'alice', appId: APP, outcome: 'pass', source: 'upstream' });
    expect(lines.filter((line) => line.msg === 'genauth-session-guard upstream')).toContainEqual(expect.objectContaining({ endpoint: 'check-session-status', outcome: 'ok' }));
  });

  it('pino child loggers are recognised too', async () => {
    const { lines, stream } = jsonLines();
    await passAlice(pino({ level: 'debug' }, stream).child({ component: 'admin' }));
    expect(lines.find((line) => line.msg === 'genauth-session-guard decision')).toMatchObject({ component: 'admin', userId: 'alice', outcome: 'pass' });
  });

  it('winston: the details are fields of the entry', async () => {
    const { lines, stream } = jsonLines();
    const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
    await passAlice(logger);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.find((line) => line.message === 'genauth-session-guard decision')).toMatchObject({ level: 'debug', userId: 'alice', outcome: 'pass' });
  });

  it('console: console.debug(message, details)', async () => {
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    try {
      await passAlice(console);
      expect(debug).toHaveBeenCalledWith('genauth-session-guard decision', expect.objectContaining({ userId: 'alice', outcome: 'pass' }));
    } finally {
      debug.mockRestore();
    }
  });
});
