/** The fake's users and their live sessions, per application. */
export class SessionStore {
  private readonly users = new Map<string, Set<string>>();
  /** The applications that exist, or `undefined`: every application id exists. */
  private readonly apps: Set<string> | undefined;

  constructor(apps?: readonly string[]) {
    this.apps = apps && new Set(apps);
  }

  /** Whether the application exists (always, unless the fake was given its `apps`). */
  hasApp(appId: string): boolean {
    return this.apps === undefined || this.apps.has(appId);
  }

  /** Adds a user with no session; a known user is left as is. */
  addUser(userId: string): void {
    if (!this.users.has(userId)) this.users.set(userId, new Set());
  }

  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  /** Starts a session for the user in the application, adding the user (and the application) if unknown. */
  login(userId: string, appId: string): void {
    this.apps?.add(appId);
    this.addUser(userId);
    this.users.get(userId)?.add(appId);
  }

  logout(userId: string, appId: string): void {
    this.users.get(userId)?.delete(appId);
  }

  /** Ends the user's sessions in those applications, or in every application when `appIds` is omitted. */
  kick(userId: string, appIds?: readonly string[]): void {
    const apps = this.users.get(userId);
    if (!apps) return;
    if (appIds === undefined) apps.clear();
    else for (const appId of appIds) apps.delete(appId);
  }

  /** Forgets the user and every session of theirs (check-session-status then answers 404 "user not found"). */
  deleteUser(userId: string): boolean {
    return this.users.delete(userId);
  }

  isActive(userId: string, appId: string): boolean {
    return this.users.get(userId)?.has(appId) ?? false;
  }
}
