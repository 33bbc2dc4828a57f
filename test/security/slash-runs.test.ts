import { normalizeHost } from '../../src/client/host';
import { createJwksUriDiscovery, discoveryUrl, issuerMismatch } from '../../src/extractors/oidc-discovery';

// A run of slashes not at the end of the string made `/\/+$/` quadratic: 60 KB blocked the event loop 5.5 s,
// 200 KB 30 s on the CI machine. Trimmed by index it takes well under a millisecond; the bound below is a thousand times that,
// there only so that the old expression fails instead of passing late.
const BOUND_MS = 500;
const run = '/'.repeat(200_000);

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

describe('a 200 KB run of slashes is trimmed in linear time', () => {
  it('in the issuer of a discovery document (untrusted input: a request with a token fetches it)', async () => {
    const issuer = 'https://idp.example';
    const documentIssuer = `${issuer}${run}x`;
    const fetchImpl = async () => new Response(JSON.stringify({ issuer: documentIssuer, jwks_uri: `${issuer}/jwks` }));
    const discover = createJwksUriDiscovery(issuer, fetchImpl, { warn: false });
    const start = performance.now();
    await expect(discover()).rejects.toMatchObject({ cause: { message: expect.stringContaining('not the configured') } });
    expect(performance.now() - start).toBeLessThan(BOUND_MS);
  });

  it('when the issuers are compared for a hint', () => {
    const { value, ms } = timed(() => issuerMismatch('https://idp.example/', `https://idp.example${run}x`));
    expect(value).not.toContain('the trailing slash differs');
    expect(ms).toBeLessThan(BOUND_MS);
    expect(issuerMismatch('https://idp.example/', `https://idp.example${run}`)).toContain('the trailing slash differs');
  });

  it('in the configured issuer', () => {
    const { value, ms } = timed(() => discoveryUrl(`https://idp.example${run}x`));
    expect(value).toBe(`https://idp.example${run}x/.well-known/openid-configuration`);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('in the path of the configured host', () => {
    const { ms } = timed(() => expect(() => normalizeHost(`http://127.0.0.1${run}x`)).toThrow(/without a path/));
    expect(ms).toBeLessThan(BOUND_MS);
    expect(normalizeHost(`http://127.0.0.1${run}`)).toBe('http://127.0.0.1');
  });
});
