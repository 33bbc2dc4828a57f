/**
 * Waits `ms`, or less if `signal` aborts first (resolves either way, never rejects). A wait of a call under way (a
 * retry's backoff, a wait for another replica's answer): its timer keeps the process alive, as the call does, so
 * that a script with nothing else pending does not exit with the call unsettled. Bounded by `ms`; cleared on abort.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
