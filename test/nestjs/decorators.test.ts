import { Controller, Get } from '@nestjs/common';
import { AppId, Permissions, Public, Roles, Scopes } from '../../src/nestjs';

describe('decorator arguments are checked when decorating (TypeError), with the route options’ rules', () => {
  it.each<[string, () => unknown, RegExp]>([
    ['@Roles() with no role', () => Roles(), /`roles` must be a non-empty array/],
    ['@Roles with an empty code', () => Roles(''), /`roles\[0\]` must be a role code/],
    ['@Roles with a misspelt key', () => Roles({ code: 'auditor', namesapce: 'finance' } as never), /unknown option "namesapce" in `roles\[0\]`; did you mean "namespace"\?/],
    ['@Roles with 101 roles', () => Roles(...Array.from({ length: 101 }, (_, i) => `r${i}`)), /at most 100 entries/],
    ['@Permissions without resources', () => Permissions({ namespace: 'orders', action: 'read', resources: [] }), /`permissions.resources` must be a non-empty array/],
    ['@Permissions with `resource`', () => Permissions({ namespace: 'orders', action: 'read', resources: ['o:1'], resource: 'o:2' } as never), /unknown option "resource" in `permissions`; did you mean "resources"\?/],
    ['@Permissions of nothing', () => Permissions(undefined as never), /`permissions` must be \{ namespace, action, resources \}/],
    ['@Scopes() with no scope', () => Scopes(), /@Scopes\(\) needs at least one scope/],
    ['@Scopes with a space', () => Scopes('read write'), /`scopes` must be an array of non-empty scope strings without spaces/],
    ['@AppId of an empty string', () => AppId(''), /@AppId\(\) needs the GenAuth app id/],
    ['@AppId of 129 characters', () => AppId('a'.repeat(129)), /at most 128 characters/],
    ['@AppId of a number', () => AppId(42 as never), /@AppId\(\) needs the GenAuth app id/],
  ])('%s', (_label, make, message) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  it('valid arguments make decorators (a copy of the arrays: changing the caller’s later changes nothing)', () => {
    const roles = ['admin'];
    const decorator = Roles(...roles);
    roles.push('guest');
    @decorator
    class Decorated {}
    expect(Reflect.getMetadata('genauth-session-guard:roles', Decorated)).toEqual(['admin']);
  });
});

describe('decorator placement mistakes are a TypeError when the class is defined', () => {
  it('the same decorator twice on one method', () => {
    expect(() => {
      class Twice {
        @Roles('admin')
        @Roles('auditor')
        @Get()
        get() {}
      }
      return Twice;
    }).toThrow(/genauth-session-guard: @Roles\(\) is on Twice.get twice; give it every value once/);
  });

  it('the same decorator twice on one class', () => {
    expect(() => {
      @Scopes('read')
      @Scopes('write')
      @Controller()
      class TwiceOnClass {}
      return TwiceOnClass;
    }).toThrow(/@Scopes\(\) is on TwiceOnClass twice/);
  });

  it.each([
    ['@Public() then @Roles()', () => {
      class A {
        @Roles('admin')
        @Public()
        get() {}
      }
      return A;
    }],
    ['@Roles() then @Public()', () => {
      class B {
        @Public()
        @Roles('admin')
        get() {}
      }
      return B;
    }],
    ['@Public() and @Permissions() on a class', () => {
      @Public()
      @Permissions({ namespace: 'orders', action: 'read', resources: ['o:1'] })
      class C {}
      return C;
    }],
    ['@Scopes() and @Public() on a class', () => {
      @Scopes('read')
      @Public()
      class D {}
      return D;
    }],
  ])('%s on one target: a public route checks nothing', (_label, define) => {
    expect(define).toThrow(TypeError);
    expect(define).toThrow(/a public route checks nothing; remove one/);
  });

  it('@Public() on a method beside @AppId() is fine (AppId asks for no check)', () => {
    expect(() => {
      class E {
        @Public()
        @AppId('app-2')
        get() {}
      }
      return E;
    }).not.toThrow();
  });

  it("a subclass may restate a decorator of its parent class (only the class's own ones count)", () => {
    @Roles('admin')
    class Base {}
    @Roles('auditor')
    class Derived extends Base {}
    @Public() // the parent's @Roles is not on this class: no conflict either
    class Open extends Base {}
    expect(Reflect.getMetadata('genauth-session-guard:roles', Derived)).toEqual(['auditor']);
    expect(Reflect.getMetadata('genauth-session-guard:roles', Base)).toEqual(['admin']);
    expect(Reflect.getMetadata('genauth-session-guard:public', Open)).toBe(true);
  });

  it('on a property that is not a method', () => {
    const decorate = Roles('admin') as unknown as (target: object, key: string, descriptor?: PropertyDescriptor) => void;
    expect(() => decorate({}, 'field', undefined)).toThrow(/@Roles\(\) applies to a controller class or a route method, not to Object.field/);
  });
});
