/** GenAuth-shaped ids (24 hex digits, like MongoDB ObjectIds), the same in the runner and in every child. */
export const APP_ID = '64f0c0ffee0123456789abcd';

/** The `index`th user id: deterministic, 24 hex digits. */
export function userIdOf(index: number): string {
  return `65a1b2c3d4${index.toString(16).padStart(14, '0')}`;
}
