/**
 * `genauth-session-guard/testing`: a fake GenAuth server for testing apps that use this package.
 * @packageDocumentation
 */
export { createFakeGenAuth } from './testing/create-fake-genauth';
export type {
  FakeEndpoint,
  FakeGenAuth,
  FakeGenAuthCalls,
  FakeGenAuthOptions,
  Fault,
  FaultOptions,
  LoginOptions,
  PermissionGrant,
  SignTokenOptions,
} from './testing/types';
