import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidTokenError } from '../../src/core/errors';
import { header } from '../../src/extractors';
import { caught, req } from './idp-server';

describe('header', () => {
  it('returns the user id from the header, matching the name case-insensitively', () => {
    expect(header('X-GenAuth-User-Id')(req({ 'x-genauth-user-id': 'user-1' }))).toEqual({ userId: 'user-1' });
  });

  it('returns undefined when the header is absent', () => {
    expect(header('x-user-id')(req({ authorization: 'Bearer x' }))).toBeUndefined();
  });

  it.each<[string, string | string[]]>([
    ['empty', ''],
    ['blank', '   '],
    ['repeated (array)', ['a', 'b']],
    ['an empty array', []],
    ['too long', 'u'.repeat(257)],
    ['with a newline', 'user\n1'],
    ['with a NUL', 'user\u00001'],
    ['with DEL', 'user\u007f'],
    ['with a C1 control', 'user\u0085'],
  ])('throws InvalidTokenError when the value is %s, without echoing it', async (_label, value) => {
    const error = await caught(() => header('x-user-id')(req({ 'x-user-id': value })));
    expect(error).toBeInstanceOf(InvalidTokenError);
    if (typeof value === 'string' && value.trim()) expect(error.message).not.toContain(value);
    expect(error.message).toContain('x-user-id header');
  });

  it('accepts a single-element array and a value at maxLength', () => {
    expect(header('x-user-id')(req({ 'x-user-id': ['user-1'] }))).toEqual({ userId: 'user-1' });
    expect(header('x-user-id')(req({ 'x-user-id': 'u'.repeat(256) }))).toEqual({ userId: 'u'.repeat(256) });
    expect(header('x-user-id', { maxLength: 4 })(req({ 'x-user-id': 'abcd' }))).toEqual({ userId: 'abcd' });
    expect(() => header('x-user-id', { maxLength: 4 })(req({ 'x-user-id': 'abcde' }))).toThrow(InvalidTokenError);
  });

  it.each<[string, unknown, unknown]>([
    ['an empty name', '', undefined],
    ['a name with a space', 'x user', undefined],
    ['a name with a colon', 'x-user:', undefined],
    ['a non-string name', 42, undefined],
    ['maxLength 0', 'x-user-id', { maxLength: 0 }],
    ['a fractional maxLength', 'x-user-id', { maxLength: 1.5 }],
  ])('throws a TypeError at construction for %s', (_label, name, options) => {
    expect(() => header(name as string, options as { maxLength?: number })).toThrow(TypeError);
  });

  it('detects a header repeated on the wire, which Node joins with ", "', async () => {
    const extract = header('x-user-id');
    const server = createServer((incoming: IncomingMessage, res) => {
      let body: string;
      try {
        body = JSON.stringify(extract(incoming));
      } catch (error) {
        body = (error as Error).constructor.name;
      }
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const send = (value: string | string[]): Promise<string> =>
      new Promise((resolve, reject) => {
        const outgoing = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          let data = '';
          res.setEncoding('utf8').on('data', (chunk) => (data += chunk)).on('end', () => resolve(data));
        });
        outgoing.on('error', reject);
        outgoing.setHeader('x-user-id', value);
        outgoing.end();
      });
    try {
      expect(await send('user-1')).toBe('{"userId":"user-1"}');
      expect(await send(['user-1', 'admin'])).toBe('InvalidTokenError');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
