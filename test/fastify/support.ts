import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard } from '../../src/index';

export const APP = 'app-1';

/** A fake GenAuth and guards reading the user id from a header (`x-user-id` unless told), closed together. */
export interface World {
  fake: FakeGenAuth;
  guard: SessionGuard;
  guardOf(headerName: string): SessionGuard;
  close(): Promise<void>;
}

export async function world(): Promise<World> {
  const fake = await createFakeGenAuth();
  const guards: SessionGuard[] = [];
  const guardOf = (headerName: string) => {
    const guard = createSessionGuard({
      host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
      identity: header(headerName),
    });
    guards.push(guard);
    return guard;
  };
  return {
    fake,
    guard: guardOf('x-user-id'),
    guardOf,
    async close() {
      await Promise.all(guards.map((guard) => guard.close()));
      await fake.close();
    },
  };
}
