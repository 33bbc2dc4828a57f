import { channels, subscribe, type DecisionEvent } from '../../src/index';
import { APP, asUser, useHarness } from './fixtures';

describe('subscribe: diagnostics_channel, typed by channel', () => {
  const h = useHarness();

  it("delivers each channel's messages until the returned function is called", async () => {
    const { fake } = h();
    await fake.login('alice', APP);
    const guard = h().guard();
    const seen: DecisionEvent[] = [];
    const stop = subscribe(channels.decision, (event) => void seen.push(event));
    await guard.authenticate(asUser('alice'), APP);
    expect(seen).toEqual([expect.objectContaining({ userId: 'alice', appId: APP, outcome: 'pass' })]);
    stop();
    await guard.authenticate(asUser('alice'), APP);
    expect(seen).toHaveLength(1);
  });

  it('sees guards created after it subscribed, and the cache and upstream channels', async () => {
    const cache: string[] = [];
    const upstream: string[] = [];
    const stops = [
      subscribe(channels.cache, (event) => void cache.push(event.event)),
      subscribe(channels.upstream, (event) => void upstream.push(event.endpoint)),
    ];
    try {
      const { fake } = h();
      await fake.login('bob', APP);
      const guard = h().guard();
      await guard.authenticate(asUser('bob'), APP);
      await guard.authenticate(asUser('bob'), APP);
      expect(cache).toEqual(['miss', 'hit']);
      expect(upstream).toContain('check-session-status');
    } finally {
      for (const stop of stops) stop();
    }
  });

  it.each([
    ['a misspelt channel', 'genauth-session-guard:decisions', () => undefined, /takes one of genauth-session-guard:decision/],
    ['no listener', channels.decision, undefined, /needs a listener function/],
  ])('%s is a TypeError', (_name, channel, listener, message) => {
    expect(() => subscribe(channel as never, listener as never)).toThrow(TypeError);
    expect(() => subscribe(channel as never, listener as never)).toThrow(message);
  });
});
