import { SessionCheckUnavailableError } from '../../src/index';
import { APP, asUser, rejectionOf, startServer, useHarness } from '../core/fixtures';

describe('redirects from the GenAuth host are not followed', () => {
  const h = useHarness();

  it.each([
    ['token', 302],
    ['token', 307],
    ['signature', 301],
    ['signature', 308],
  ] as const)('auth %s, HTTP %i to the fake: 503, and neither the fake nor anyone else gets the request', async (auth, status) => {
    const { fake } = h();
    await fake.login('alice', APP);
    let elsewhere = 0;
    const other = await startServer((_req, res) => {
      elsewhere++;
      res.end('{}');
    });
    h().defer(() => other.close());
    const seen: string[] = [];
    const redirector = await startServer((req, res) => {
      seen.push(req.url ?? '');
      const target = req.url?.includes('get-management-token') ? other.url : fake.host;
      res.writeHead(status, { location: `${target}${req.url ?? '/'}` });
      res.end();
    });
    h().defer(() => redirector.close());

    const guard = h().guard({ auth, host: redirector.url, retries: 1, circuitBreaker: false });
    const error = await rejectionOf(guard.authenticate(asUser('alice'), APP));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    expect(fake.calls).toMatchObject({ token: 0, check: 0 });
    expect(elsewhere).toBe(0);
    // The redirecting host saw the first attempt and its one retry, nothing more.
    const endpoint = auth === 'token' ? '/api/v3/get-management-token' : '/api/v3/check-session-status';
    expect(seen).toEqual([endpoint, endpoint]);
  });
});
