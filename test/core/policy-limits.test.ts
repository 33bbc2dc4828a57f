/**
 * Policy parts are bounded (issue 18, item 5): role codes, namespaces, the action and each resource go into cache
 * keys (and Redis keys), so each is at most 256 characters, and `roles`, `permissions.resources` and `scopes` at most
 * 100 entries. A TypeError when a route is created; a rejection from checkRoles / checkPermissions, nothing asked.
 */
import express from 'express';
import { requireActiveSession } from '../../src/index';
import { requireActiveSession as requireKoa } from '../../src/koa';
import type { PermissionRequirement, RoleRequirement } from '../../src/index';
import { APP, rejectionOf, useHarness } from './fixtures';

const long = 'r'.repeat(257);
const limit = 'r'.repeat(256);
const many = (count: number, prefix = 'p') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const permissions = (over: Partial<PermissionRequirement>): PermissionRequirement => ({ namespace: 'orders', action: 'read', resources: ['order:1'], ...over });

const OVER: Array<[string, { roles?: RoleRequirement[]; permissions?: PermissionRequirement; scopes?: string[] }, RegExp]> = [
  ['a role code of 257 characters', { roles: ['admin', long] }, /`roles\[1\]` must be a role code, a non-empty string of at most 256 characters/],
  ['a { code } of 257 characters', { roles: [{ code: long }] }, /`roles\[0\]\.code` must be a non-empty string of at most 256 characters/],
  ['a role namespace of 257 characters', { roles: [{ code: 'admin', namespace: long }] }, /`roles\[0\]\.namespace` must be a non-empty string of at most 256/],
  ['101 roles', { roles: many(101) }, /`roles` must have at most 100 entries/],
  ['a permission namespace of 257 characters', { permissions: permissions({ namespace: long }) }, /`permissions\.namespace` must be a non-empty string of at most 256/],
  ['an action of 257 characters', { permissions: permissions({ action: long }) }, /`permissions\.action` must be a non-empty string of at most 256/],
  ['a resource of 257 characters', { permissions: permissions({ resources: ['order:1', long] }) }, /every entry of `permissions\.resources` must be a non-empty string of at most 256/],
  ['a 50 KB resource', { permissions: permissions({ resources: ['x'.repeat(50 * 1024)] }) }, /at most 256 characters/],
  ['101 resources', { permissions: permissions({ resources: many(101) }) }, /`permissions\.resources` must have at most 100 entries/],
  ['101 scopes', { scopes: many(101) }, /`scopes` must have at most 100 entries/],
];

describe('requireActiveSession: a policy over the limits is a TypeError at route creation (Express and Koa)', () => {
  const h = useHarness();

  it.each(OVER)('%s', (_label, policy, message) => {
    const { fake } = h();
    const guard = h().guard();
    for (const create of [() => express().get('/admin', requireActiveSession(APP, { guard, ...policy })), () => requireKoa(APP, { guard, ...policy })]) {
      let caught: unknown;
      try {
        create();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TypeError);
      expect((caught as Error).message).toMatch(message);
      expect((caught as Error).message.length).toBeLessThan(300); // the value is not in it
    }
    expect(fake.calls).toMatchObject({ token: 0, check: 0, roles: 0, permissions: 0 });
  });

  it('the limits themselves are accepted: 100 roles of 256 characters, 100 resources, 100 scopes', () => {
    const guard = h().guard();
    const at = (prefix: string) => many(100, prefix).map((entry) => entry.padEnd(256, '.'));
    expect(() => requireActiveSession(APP, {
      guard,
      roles: [...at('r').slice(1), { code: limit, namespace: limit }],
      permissions: { namespace: limit, action: limit, resources: at('o') },
      scopes: many(100, 's'),
    })).not.toThrow();
  });
});

describe('checkRoles / checkPermissions: over the limits rejects with a TypeError, GenAuth not asked, nothing cached', () => {
  const h = useHarness();

  it.each(OVER.filter(([, policy]) => policy.roles || policy.permissions))('%s', async (_label, policy, message) => {
    const { fake } = h();
    const guard = h().guard();
    fake.assignRole('alice', 'admin');
    const error = await rejectionOf(policy.roles ? guard.checkRoles('alice', policy.roles) : guard.checkPermissions('alice', policy.permissions!));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(message);
    expect(fake.calls).toMatchObject({ token: 0, roles: 0, permissions: 0 });
    expect(guard.stats().authorization).toMatchObject({ size: 0, misses: 0, upstreamCalls: 0 });
  });

  it('at the limits GenAuth is asked as usual', async () => {
    const { fake } = h();
    const guard = h().guard();
    fake.assignRole('alice', limit);
    await expect(guard.checkRoles('alice', [...many(99), limit])).resolves.toBe(true);
    await expect(guard.checkPermissions('alice', permissions({ resources: many(100) }))).resolves.toBe(false);
    expect(fake.calls).toMatchObject({ roles: 1, permissions: 1 });
  });
});

describe('authenticate: a per-call policy over the limits rejects with a TypeError before the extractor', () => {
  const h = useHarness();

  it('roles of 101 entries', async () => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    const error = await rejectionOf(guard.authenticate({ headers: { 'x-user-id': 'alice' } }, APP, { roles: many(101) }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/`roles` must have at most 100 entries/);
    expect(fake.calls).toMatchObject({ check: 0, roles: 0 });
  });
});
