import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two strings in time independent of where they differ (both are hashed to equal length first). */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
