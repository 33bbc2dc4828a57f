import { InvalidTokenError, SessionCheckUnavailableError } from '../../src/core/errors';
import type { RequestLike } from '../../src/core/types';
import { cookie, firstOf, header, type ContextualIdentityExtractor, type ExtractContext } from '../../src/extractors';
import { caught, req } from './idp-server';

describe('firstOf', () => {
  it('returns the first identity, in order, and does not call later extractors', async () => {
    const calls: string[] = [];
    const none = (name: string): ContextualIdentityExtractor => () => (calls.push(name), undefined);
    const found = (name: string): ContextualIdentityExtractor => async () => (calls.push(name), { userId: name });
    const extract = firstOf(none('a'), found('b'), found('c'));
    await expect(extract(req({}), { appId: 'x' })).resolves.toEqual({ userId: 'b' });
    expect(calls).toEqual(['a', 'b']);
  });

  it('returns undefined when every extractor returns undefined (or null)', async () => {
    const extract = firstOf(() => undefined, async () => undefined, (() => null) as unknown as ContextualIdentityExtractor);
    await expect(extract(req({}))).resolves.toBeUndefined();
  });

  it('awaits each extractor before trying the next', async () => {
    const order: string[] = [];
    const slow: ContextualIdentityExtractor = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('slow');
      return undefined;
    };
    const fast: ContextualIdentityExtractor = () => (order.push('fast'), { userId: 'u' });
    await firstOf(slow, fast)(req({}));
    expect(order).toEqual(['slow', 'fast']);
  });

  it('stops at an extractor that throws, synchronously or not, without trying the rest', async () => {
    const later = jest.fn<ReturnType<ContextualIdentityExtractor>, [RequestLike, ExtractContext?]>(() => ({ userId: 'later' }));
    const syncThrow = firstOf(() => {
      throw new InvalidTokenError('bad');
    }, later);
    await expect(syncThrow(req({}))).rejects.toBeInstanceOf(InvalidTokenError);
    const asyncThrow = firstOf(async () => {
      throw new SessionCheckUnavailableError();
    }, later);
    await expect(asyncThrow(req({}))).rejects.toBeInstanceOf(SessionCheckUnavailableError);
    expect(later).not.toHaveBeenCalled();
  });

  it('treats an invalid header as a refusal, not a fall-through to the cookie', async () => {
    const extract = firstOf(header('x-user-id'), cookie('uid'));
    await expect(extract(req({ cookie: 'uid=from-cookie' }))).resolves.toEqual({ userId: 'from-cookie' });
    await expect(extract(req({ 'x-user-id': 'from-header', cookie: 'uid=from-cookie' }))).resolves.toEqual({ userId: 'from-header' });
    await expect(extract(req({ 'x-user-id': '', cookie: 'uid=from-cookie' }))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('forwards the context to every extractor', async () => {
    const seen: Array<ExtractContext | undefined> = [];
    const spy: ContextualIdentityExtractor = (_req, context) => (seen.push(context), undefined);
    await firstOf(spy, spy)(req({}), { appId: 'app-1' });
    await firstOf(spy)(req({}));
    expect(seen).toEqual([{ appId: 'app-1' }, { appId: 'app-1' }, undefined]);
  });

  it('rejects with a TypeError when an extractor returns something that is not an identity', async () => {
    const broken = (() => 'user-1') as unknown as ContextualIdentityExtractor;
    const error = await caught(() => firstOf(broken)(req({})));
    expect(error).toBeInstanceOf(TypeError);
  });

  it('throws a TypeError at construction without extractors or with a non-function', () => {
    expect(() => firstOf()).toThrow(TypeError);
    expect(() => firstOf(header('x-a'), 'nope' as unknown as ContextualIdentityExtractor)).toThrow(/argument 2/);
    expect(() => firstOf(undefined as unknown as ContextualIdentityExtractor)).toThrow(TypeError);
  });
});
