/** The namespace (permission group) a role or grant falls in when none is named, as in GenAuth. */
export const DEFAULT_NAMESPACE = 'default';

const SEP = '\u0000';

/** The fake's roles (per namespace) and permission grants, per user. */
export class AuthorizationStore {
  private readonly roles = new Map<string, Set<string>>();
  private readonly grants = new Map<string, Set<string>>();

  assignRole(userId: string, code: string, namespace = DEFAULT_NAMESPACE): void {
    let held = this.roles.get(userId);
    if (!held) this.roles.set(userId, (held = new Set()));
    held.add(namespace + SEP + code);
  }

  revokeRole(userId: string, code: string, namespace = DEFAULT_NAMESPACE): void {
    this.roles.get(userId)?.delete(namespace + SEP + code);
  }

  hasRole(userId: string, code: string, namespace = DEFAULT_NAMESPACE): boolean {
    return this.roles.get(userId)?.has(namespace + SEP + code) ?? false;
  }

  grant(userId: string, namespace: string, action: string, resource: string): void {
    let held = this.grants.get(userId);
    if (!held) this.grants.set(userId, (held = new Set()));
    held.add([namespace, action, resource].join(SEP));
  }

  revoke(userId: string, namespace: string, action: string, resource: string): void {
    this.grants.get(userId)?.delete([namespace, action, resource].join(SEP));
  }

  isAllowed(userId: string, namespace: string, action: string, resource: string): boolean {
    return this.grants.get(userId)?.has([namespace, action, resource].join(SEP)) ?? false;
  }
}
