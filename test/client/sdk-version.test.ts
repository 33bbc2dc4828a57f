import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SDK_VERSION_HEADER } from '../../src/client/genauth-client';

describe('x-authing-sdk-version', () => {
  it('names the version in package.json (bump both together)', () => {
    const { name, version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
    expect(SDK_VERSION_HEADER).toBe(`${name}:${version}`);
  });
});
