import { Revocations, withKey } from '../../src/core/revocations';

describe('Revocations: the one rule for every answer about a user', () => {
  it('an answer taken before an invalidation of its user is revoked; one taken after, or of another user, is not', () => {
    const revocations = new Revocations();
    const alice = revocations.begin('alice');
    const before = revocations.now;
    const bob = revocations.begin('bob');
    revocations.invalidateSessions('alice');
    const after = revocations.now;
    expect(revocations.sessionRevoked(alice, before, 'app-1')).toBe(true);
    expect(revocations.sessionRevoked(alice, after, 'app-1')).toBe(false);
    expect(revocations.sessionRevoked(bob, before, 'app-1')).toBe(false);
    // Session invalidations leave authorization answers alone, and the other way round.
    expect(revocations.authorizationRevoked(alice, before)).toBe(false);
    revocations.invalidateAuthorization('bob');
    expect(revocations.authorizationRevoked(bob, before)).toBe(true);
    expect(revocations.sessionRevoked(bob, before, 'app-1')).toBe(false);
  });

  it('an app-scoped invalidation revokes that app only; a user-wide one every app', () => {
    const revocations = new Revocations();
    const marks = revocations.begin('alice');
    const taken = revocations.now;
    revocations.invalidateSessions('alice', 'app-1');
    expect(revocations.sessionRevoked(marks, taken, 'app-1')).toBe(true);
    expect(revocations.sessionRevoked(marks, taken, 'app-2')).toBe(false);
    revocations.invalidateSessions('alice');
    expect(revocations.sessionRevoked(marks, taken, 'app-2')).toBe(true);
  });

  it('past 16 app-scoped invalidations of one user they become one of every app (more, never less)', () => {
    const revocations = new Revocations();
    const marks = revocations.begin('alice');
    const taken = revocations.now;
    for (let i = 0; i < 17; i++) revocations.invalidateSessions('alice', `app-${i}`);
    expect(marks.apps).toBeUndefined();
    expect(revocations.sessionRevoked(marks, taken, 'app-never-named')).toBe(true);
  });

  it('invalidateAll revokes every session answer, invalidateAllAuthorization every authorization answer', () => {
    const revocations = new Revocations();
    const marks = revocations.begin('alice');
    const taken = revocations.now;
    revocations.invalidateAllAuthorization();
    expect(revocations.authorizationRevoked(marks, taken)).toBe(true);
    expect(revocations.sessionRevoked(marks, taken, 'app-1')).toBe(false);
    revocations.invalidateAllSessions();
    expect(revocations.sessionRevoked(marks, taken, 'app-1')).toBe(true);
    expect(revocations.sessionRevoked(marks, revocations.now, 'app-1')).toBe(false);
  });

  it('invalidating a user nothing was asked about keeps nothing and raises nothing (login storms cost O(1))', () => {
    const revocations = new Revocations();
    const marks = revocations.begin('alice');
    const taken = revocations.now;
    for (let i = 0; i < 50_000; i++) expect(revocations.invalidateSessions(`user-${i}`)).toBeUndefined();
    expect(revocations.size).toBe(1);
    expect(revocations.now).toBe(taken); // no floor, no epoch moved: alice's answer is not disturbed
    expect(revocations.sessionRevoked(marks, taken, 'app-1')).toBe(false);
  });

  it('past max users, the least recently asked about is forgotten: its answers are revoked, the others kept', () => {
    const revocations = new Revocations(2);
    const alice = revocations.begin('alice');
    const taken = revocations.now;
    const bob = revocations.begin('bob');
    revocations.end(alice);
    revocations.end(bob);
    revocations.end(revocations.begin('alice')); // asked about again: bob is now the oldest
    revocations.begin('carol');
    expect(bob.dead).toBe(true);
    expect(revocations.sessionRevoked(bob, taken, 'app-1')).toBe(true);
    expect(revocations.authorizationRevoked(bob, taken)).toBe(true);
    expect(revocations.sessionRevoked(alice, taken, 'app-1')).toBe(false);
    // bob asked about again gets new marks; the dead ones stay dead.
    const bobAgain = revocations.begin('bob');
    expect(bobAgain).not.toBe(bob);
    expect(revocations.sessionRevoked(bobAgain, revocations.now, 'app-1')).toBe(false);
  });

  it('marks with a call under way are skipped when the oldest is forgotten; once it ends they may go', () => {
    const revocations = new Revocations(2);
    const alice = revocations.begin('alice'); // a call under way
    const bob = revocations.begin('bob');
    revocations.end(bob);
    revocations.begin('carol');
    expect(alice.dead).toBe(false);
    expect(bob.dead).toBe(true);
    revocations.end(alice);
    revocations.begin('dave');
    expect(alice.dead).toBe(true);
  });

  it('a user id that looks like another key is another user', () => {
    const revocations = new Revocations();
    const marks = revocations.begin('alice');
    const taken = revocations.now;
    revocations.invalidateSessions('alice:app-1');
    revocations.invalidateSessions('5:alice');
    expect(revocations.sessionRevoked(marks, taken, 'app-1')).toBe(false);
  });

  it('withKey: no duplicates; a long list is pruned to the keys still held', () => {
    let keys = withKey(undefined, 'k0', () => true);
    keys = withKey(keys, 'k0', () => true);
    expect(keys).toEqual(['k0']);
    for (let i = 1; i < 8; i++) keys = withKey(keys, `k${i}`, () => true);
    expect(keys).toHaveLength(8);
    keys = withKey(keys, 'k8', (key) => key === 'k7');
    expect(keys).toEqual(['k7', 'k8']);
  });
});
