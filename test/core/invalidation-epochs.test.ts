import { InvalidationEpochs } from '../../src/core/invalidation-epochs';

describe('InvalidationEpochs', () => {
  it('an answer taken before an invalidate that covers it is superseded; one taken after is not', () => {
    const epochs = new InvalidationEpochs();
    const before = epochs.begin();
    epochs.invalidate('alice');
    const after = epochs.begin();
    expect(epochs.superseded(before, 'alice')).toBe(true);
    expect(epochs.superseded(before, 'alice', 'app-1')).toBe(true);
    expect(epochs.superseded(before, 'bob')).toBe(false);
    expect(epochs.superseded(after, 'alice')).toBe(false);
  });

  it('a scoped invalidate supersedes that scope only; invalidateAll supersedes everything taken before it', () => {
    const epochs = new InvalidationEpochs();
    const taken = epochs.begin();
    epochs.invalidate('alice', 'app-1');
    expect(epochs.superseded(taken, 'alice', 'app-1')).toBe(true);
    expect(epochs.superseded(taken, 'alice', 'app-2')).toBe(false);
    expect(epochs.superseded(taken, 'alice')).toBe(false);
    // Length-prefixed keys: a user id containing the separator is another user.
    expect(epochs.superseded(taken, 'alice:app-1')).toBe(false);
    epochs.invalidateAll();
    expect(epochs.superseded(taken, 'bob')).toBe(true);
    expect(epochs.superseded(epochs.begin(), 'bob')).toBe(false);
  });

  it('past max remembered users, forgotten ones fold into a floor: more answers superseded, never fewer', () => {
    const epochs = new InvalidationEpochs(2);
    const taken = epochs.begin();
    epochs.invalidate('u1');
    const between = epochs.begin();
    epochs.invalidate('u2');
    epochs.invalidate('u3'); // u1 is forgotten: everything taken before its invalidation is superseded
    expect(epochs.superseded(taken, 'u1')).toBe(true);
    expect(epochs.superseded(taken, 'someone-else')).toBe(true);
    expect(epochs.superseded(between, 'u1')).toBe(false);
    expect(epochs.superseded(between, 'u2')).toBe(true);
    expect(epochs.superseded(between, 'someone-else')).toBe(false);
  });
});
