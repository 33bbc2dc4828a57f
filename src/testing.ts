/**
 * `genauth-session-guard/testing`: a fake GenAuth server for testing apps that use this package.
 * @packageDocumentation
 * @module genauth-session-guard/testing
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
  AddWebhookOptions,
  FakeWebhook,
  WebhookDelivery,
  WebhookFault,
} from './testing/types';
