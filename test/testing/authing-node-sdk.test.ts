import { ManagementClient } from 'authing-node-sdk';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

describe('the official authing-node-sdk against the fake', () => {
  let fake: FakeGenAuth;

  beforeEach(async () => {
    fake = await createFakeGenAuth();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('is accepted (request signature) and gets the right active flag', async () => {
    await fake.login('user-1', 'app-1');
    fake.addUser('user-2');
    const client = new ManagementClient({
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      host: fake.host,
    });

    await expect(client.checkSessionStatus({ appId: 'app-1', userId: 'user-1' })).resolves.toMatchObject({
      statusCode: 200,
      data: { active: true },
    });
    await expect(client.checkSessionStatus({ appId: 'app-1', userId: 'user-2' })).resolves.toMatchObject({
      statusCode: 200,
      data: { active: false },
    });

    fake.kick('user-1', ['app-1']);
    await expect(client.checkSessionStatus({ appId: 'app-1', userId: 'user-1' })).resolves.toMatchObject({
      statusCode: 200,
      data: { active: false },
    });
    expect(fake.calls.check).toBe(3);
    expect(fake.calls.refused).toBe(0);
  });

  it('kicks users through the SDK', async () => {
    await fake.login('user-1', 'app-1');
    const client = new ManagementClient({
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      host: fake.host,
    });
    await expect(
      client.kickUsers({ appIds: ['app-1'], userId: 'user-1', options: { userIdType: 'user_id' } } as Parameters<ManagementClient['kickUsers']>[0]),
    ).resolves.toMatchObject({ statusCode: 200 });
    expect(fake.isActive('user-1', 'app-1')).toBe(false);
  });

  it('is refused with a wrong secret', async () => {
    await fake.login('user-1', 'app-1');
    const client = new ManagementClient({
      accessKeyId: fake.accessKeyId,
      accessKeySecret: 'not-the-secret',
      host: fake.host,
    });
    const answer = await client.checkSessionStatus({ appId: 'app-1', userId: 'user-1' });
    expect(answer).toMatchObject({ statusCode: 401, apiCode: 1300 });
    expect(answer).not.toHaveProperty('data');
    expect(fake.calls.refused).toBe(1);
  });

  it('is refused with an unknown access key id', async () => {
    await fake.login('user-1', 'app-1');
    const client = new ManagementClient({
      accessKeyId: 'someone-else',
      accessKeySecret: fake.accessKeySecret,
      host: fake.host,
    });
    await expect(client.checkSessionStatus({ appId: 'app-1', userId: 'user-1' })).resolves.toMatchObject({
      statusCode: 401,
      apiCode: 1300,
    });
  });
});
