import { request } from 'node:http';
import { createFakeGenAuth } from '../../src/testing';

describe('close()', () => {
  it('ends with a hanging request open, failing that request', async () => {
    const fake = await createFakeGenAuth();
    fake.fault({ kind: 'hang' });
    let settled = false;
    const pending = fetch(`${fake.host}/api/v3/check-session-status`, { method: 'POST', body: '{}' });
    void pending.finally(() => (settled = true)).catch(() => undefined);
    // Wait for the request to reach the fake.
    while (fake.calls.check === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Ordering, not timing: the request is still open when close() is called; the hang never ends by itself, so
    // close() must not wait for it (the test would time out), and the request fails because of it.
    expect(settled).toBe(false);
    await fake.close();
    await expect(pending).rejects.toThrow();
  });

  it('ends with a dripping answer and a pending latency, and destroys keep-alive sockets', async () => {
    const fake = await createFakeGenAuth();
    await (await fetch(fake.jwksUri)).text(); // leaves a keep-alive socket open
    fake.fault({ kind: 'drip', ms: 1000 }, { endpoint: 'jwks', times: 1 });
    fake.fault({ kind: 'latency', ms: 60_000 }, { endpoint: 'discovery', times: 1 });
    // Settled-ness is observed through allSettled so that neither rejection is ever unhandled, whenever it comes.
    const outcomes = Promise.allSettled([
      fetch(fake.jwksUri).then((response) => response.text()),
      fetch(`${fake.issuer}/.well-known/openid-configuration`),
    ]);
    while (fake.calls.jwks < 2 || fake.calls.discovery === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await fake.close();
    const [drip, slow] = await outcomes;
    expect(drip.status).toBe('rejected');
    expect(slow.status).toBe('rejected');
  });

  it('is idempotent and refuses connections afterwards', async () => {
    const fake = await createFakeGenAuth();
    await Promise.all([fake.close(), fake.close()]);
    await fake.close();
    await expect(
      new Promise((resolve, reject) => {
        const req = request(fake.jwksUri, resolve);
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toThrow();
  });
});
