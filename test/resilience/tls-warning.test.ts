import { createSessionGuard, header } from '../../src/index';

describe('TLS verification cannot be switched off silently', () => {
  const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  afterEach(() => {
    if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
  });

  function warningsDuring(action: () => void): Array<{ code?: string; message: string }> {
    const seen: Array<{ code?: string; message: string }> = [];
    const original = process.emitWarning;
    process.emitWarning = ((warning: string, options?: { code?: string }) => {
      seen.push({ message: warning, code: options?.code });
    }) as typeof process.emitWarning;
    try {
      action();
    } finally {
      process.emitWarning = original;
    }
    return seen;
  }

  const make = (host: string) => () =>
    void createSessionGuard({ host, accessKeyId: 'id', accessKeySecret: 'secret', identity: header('x-user-id') }).close();

  it('warns when NODE_TLS_REJECT_UNAUTHORIZED=0 would leave an https host unverified', () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const warnings = warningsDuring(make('https://api.genauth.ai'));
    expect(warnings).toEqual([expect.objectContaining({ code: 'GENAUTH_SESSION_GUARD_TLS_UNVERIFIED' })]);
    expect(warnings[0]!.message).not.toContain('secret');
  });

  it('says nothing when TLS is verified, or for a loopback http host', () => {
    delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    expect(warningsDuring(make('https://api.genauth.ai'))).toEqual([]);
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    expect(warningsDuring(make('http://127.0.0.1:1'))).toEqual([]);
  });
});
