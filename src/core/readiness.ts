import type { GenAuthClient } from '../client/genauth-client';
import { UpstreamError } from '../client/upstream-error';
import type { WarmUp } from '../extractors/warm-up';
import { isAcceptableAppId } from './app-id';
import { failureReason } from './failure-reason';
import { GuardNotReadyError, type GuardNotReadyReason } from './not-ready-error';
import type { UpstreamHealth } from './upstream-health';

/** Options of `guard.ready()`. */
export interface ReadyOptions {
  /**
   * The app ids this process serves, checked with GenAuth: one check-session-status call each, for a placeholder
   * user (GenAuth answers "application not found", apiCode 2011, for an app it does not know, "user not found"
   * otherwise). An unknown one rejects with reason `unknown_app`, naming it. An id confirmed once is not asked again.
   * At most 100 ids, each a string a route would accept.
   * @default [] (no app id is checked)
   */
  appIds?: readonly string[];
}

/** The most app ids one `ready()` checks. */
const MAX_APP_IDS = 100;

/** Causes that may pass by themselves: a failed `ready()` for these alone is retried in the background. */
const TRANSIENT = new Set<GuardNotReadyReason>(['unreachable', 'keys', 'clock']);

interface Failure {
  reason: GuardNotReadyReason;
  text: string;
  cause?: unknown;
  unknownAppIds?: string[];
}

export interface ReadinessDeps {
  client: GenAuthClient;
  health: UpstreamHealth;
  auth: 'token' | 'signature';
  warmUp: WarmUp | undefined;
  /** Pause before a background retry of a `ready()` that failed for transient causes only. */
  retryMs: number;
}

/**
 * What `guard.ready()` checks (the credentials, the app ids, the signing keys) and what its last outcome was:
 * `failure` stands from a failed `ready()` until one resolves. A failure whose causes may pass by themselves
 * (`unreachable`, `keys`, `clock`) is checked again in the background every `retryMs` (one unref'd timer, none
 * after `close()`) until the checks pass: a process held out of rotation while not ready gets no traffic to heal it.
 */
export class Readiness {
  readonly #deps: ReadinessDeps;
  readonly #knownApps = new Set<string>();
  #running: { key: string; promise: Promise<void> } | undefined;
  #failure: GuardNotReadyError | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: ReadinessDeps) {
    this.#deps = deps;
  }

  /** The rejection of the last `ready()` (the caller's or a background retry), until one resolves. */
  get failure(): GuardNotReadyError | undefined {
    return this.#failure;
  }

  /** Concurrent calls for the same app ids share one check; others run after it. */
  ready(options: ReadyOptions | undefined): Promise<void> {
    if (this.#closed) return Promise.reject(new GuardNotReadyError('closed', 'the guard is closed.'));
    let appIds: string[];
    try {
      appIds = checkedAppIds(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const key = appIds.join('\n');
    const running = this.#running;
    if (running?.key === key) return running.promise;
    const promise = (running ? running.promise.catch(() => undefined) : Promise.resolve()).then(() => this.#check(appIds));
    const entry = { key, promise };
    this.#running = entry;
    const done = () => {
      if (this.#running === entry) this.#running = undefined;
    };
    promise.then(done, done);
    return promise;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
  }

  async #check(appIds: string[]): Promise<void> {
    clearTimeout(this.#retry);
    const failures = await this.#failures(appIds);
    if (this.#closed) throw new GuardNotReadyError('closed', 'the guard is closed.');
    if (failures.length === 0) {
      this.#failure = undefined;
      return;
    }
    const unknownAppIds = failures.find((failure) => failure.unknownAppIds)?.unknownAppIds;
    const cause = failures.find((failure) => failure.cause !== undefined)?.cause;
    const error = new GuardNotReadyError(failures.map((failure) => failure.reason), `${failures.map((failure) => failure.text).join('; ')}.`, { cause, unknownAppIds });
    this.#failure = error;
    if (error.reasons.every((reason) => TRANSIENT.has(reason))) {
      this.#retry = setTimeout(() => void this.ready({ appIds }).catch(() => undefined), this.#deps.retryMs);
      this.#retry.unref();
    }
    throw error;
  }

  /** Runs the GenAuth checks and the key warm-up at once; what failed, GenAuth's causes first. */
  async #failures(appIds: string[]): Promise<Failure[]> {
    const { client, health, auth, warmUp } = this.#deps;
    // Under the signature scheme a call that succeeded last is proof enough; the token scheme reuses a held token.
    // Quiet: the rejection names the cause, no process warning too.
    const credentials = auth === 'signature' && health.lastOk ? Promise.resolve() : health.observe(client.verifyCredentials(), true);
    const genauth = credentials.then(() => this.#unknownApps(appIds));
    const [upstream, keys] = await Promise.allSettled([genauth, warmUp?.()]);
    const failures: Failure[] = [];
    if (upstream.status === 'rejected') {
      failures.push({ reason: reasonOf(upstream.reason), text: failureReason(upstream.reason) ?? 'GenAuth could not be asked', cause: upstream.reason });
    } else if (upstream.value.length > 0) {
      const unknown = upstream.value;
      failures.push({
        reason: 'unknown_app',
        text: `GenAuth does not know the app id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => JSON.stringify(id)).join(', ')} ` +
          '(check-session-status: apiCode 2011, application not found): check the app ids of your routes against the console',
        unknownAppIds: unknown,
      });
    }
    if (keys.status === 'rejected') {
      failures.push({ reason: 'keys', text: failureReason(keys.reason) ?? "the identity extractor's warm-up failed (see error.cause)", cause: keys.reason });
    }
    return failures;
  }

  /** The app ids GenAuth does not know, of those not confirmed before. */
  async #unknownApps(appIds: string[]): Promise<string[]> {
    const { client, health } = this.#deps;
    const asked = appIds.filter((appId) => !this.#knownApps.has(appId));
    const known = await Promise.all(asked.map((appId) => health.observe(client.knowsApp(appId), true)));
    asked.forEach((appId, index) => {
      if (known[index]) this.#knownApps.add(appId);
    });
    return asked.filter((_, index) => !known[index]);
  }
}

/** The app ids of `ready(options)`, deduplicated and sorted; a `TypeError` for anything else. */
function checkedAppIds(options: ReadyOptions | undefined): string[] {
  const appIds: unknown = options?.appIds;
  if (appIds === undefined) return [];
  if (!Array.isArray(appIds) || appIds.length > MAX_APP_IDS || !appIds.every((appId) => typeof appId === 'string' && isAcceptableAppId(appId))) {
    throw new TypeError(`genauth-session-guard: ready({ appIds }) needs an array of at most ${MAX_APP_IDS} app ids (non-blank strings of at most 128 characters, no control characters).`);
  }
  return [...new Set(appIds as string[])].sort();
}

/** The reason a GenAuth check failed for. */
function reasonOf(error: unknown): GuardNotReadyReason {
  if (!(error instanceof UpstreamError)) return 'unreachable';
  switch (error.kind) {
    case 'credentials':
      return error.apiCode === 1304 || error.apiCode === 1305 ? 'clock' : 'credentials';
    case 'rejected': // the token call refused for its arguments: an unknown user pool (2224), a malformed key id
      return 'credentials';
    case 'aborted':
      return 'closed';
    default:
      return 'unreachable';
  }
}
