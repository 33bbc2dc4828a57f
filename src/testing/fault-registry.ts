import type { FakeEndpoint, Fault, FaultOptions } from './types';

interface Entry {
  fault: Fault;
  endpoint: FakeEndpoint | 'any';
  remaining: number;
}

const ENDPOINTS: ReadonlyArray<FakeEndpoint | 'any'> = ['check', 'token', 'kick', 'webhook', 'roles', 'permissions', 'jwks', 'discovery', 'any'];

function isNonNegative(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Throws a TypeError when a fault is not usable (its message never carries anything secret). */
function validateFault(fault: Fault): void {
  switch (fault.kind) {
    case 'latency':
    case 'drip':
      if (!isNonNegative(fault.ms)) throw new TypeError(`fault ${fault.kind}: ms must be a number >= 0`);
      return;
    case 'http-status':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
        throw new TypeError('fault http-status: status must be an integer HTTP status (100-599)');
      }
      return;
    case 'body-status':
      if (!Number.isInteger(fault.statusCode)) throw new TypeError('fault body-status: statusCode must be an integer');
      return;
    case 'throttle':
      if (fault.retryAfterSec !== undefined && !isNonNegative(fault.retryAfterSec)) {
        throw new TypeError('fault throttle: retryAfterSec must be a number >= 0');
      }
      return;
    case 'huge':
      if (!isNonNegative(fault.bytes)) throw new TypeError('fault huge: bytes must be a number >= 0');
      return;
    case 'malformed':
    case 'truncated':
    case 'empty':
    case 'missing-active':
    case 'non-boolean-active':
    case 'hang':
    case 'reset':
      return;
    default:
      throw new TypeError('unknown fault kind');
  }
}

/** The faults in force, in the order they were added. */
export class FaultRegistry {
  private entries: Entry[] = [];

  add(fault: Fault, options: FaultOptions = {}): void {
    validateFault(fault);
    const endpoint = options.endpoint ?? 'check';
    if (!ENDPOINTS.includes(endpoint)) throw new TypeError('fault: unknown endpoint');
    const times = options.times ?? Number.POSITIVE_INFINITY;
    if (times !== Number.POSITIVE_INFINITY && (!Number.isInteger(times) || times < 1)) {
      throw new TypeError('fault: times must be a positive integer');
    }
    this.entries.push({ fault: { ...fault }, endpoint, remaining: times });
  }

  /** The first fault matching the endpoint, using up one of its `times`. */
  take(endpoint: FakeEndpoint): Fault | undefined {
    const index = this.entries.findIndex((entry) => entry.endpoint === 'any' || entry.endpoint === endpoint);
    const entry = this.entries[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.entries = [];
  }
}
