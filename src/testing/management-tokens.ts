import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** Why a management token was refused, or `undefined` when it is good. */
export type TokenRefusal = 'unknown' | 'expired' | 'revoked';

/**
 * Issues and checks the fake's management tokens: HS256 JWTs, signed with a key private to this fake, whose payload
 * carries `scoped_userpool_id`. Only tokens this instance issued are accepted.
 */
export class ManagementTokens {
  private readonly key = randomBytes(32);
  /** token -> expiry (ms since the epoch, fake clock) */
  private readonly live = new Map<string, number>();
  private readonly revoked = new Set<string>();

  constructor(
    private readonly userPoolId: string,
    private readonly lifetimeSec: number,
    private readonly clock: () => number,
  ) {}

  /** A new token and its `expires_in`. */
  async issue(subject: string): Promise<{ access_token: string; expires_in: number }> {
    const now = this.clock();
    const iat = Math.floor(now / 1000);
    const token = await new SignJWT({ scoped_userpool_id: this.userPoolId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(subject)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.lifetimeSec)
      .setJti(randomUUID())
      .sign(this.key);
    this.live.set(token, now + this.lifetimeSec * 1000);
    return { access_token: token, expires_in: this.lifetimeSec };
  }

  /** Checks a token against what this fake issued, its expiry on the fake clock and revocation. */
  check(token: string): TokenRefusal | undefined {
    if (this.revoked.has(token)) return 'revoked';
    const expiresAt = this.live.get(token);
    if (expiresAt === undefined) return 'unknown';
    if (this.clock() >= expiresAt) return 'expired';
    return undefined;
  }

  /** Refuses every token issued so far. Tokens issued afterwards are good. */
  revokeAll(): void {
    for (const token of this.live.keys()) this.revoked.add(token);
    this.live.clear();
  }
}
