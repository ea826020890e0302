// Polling for what happens shortly after an action (a killed thread leaves PROCESSLIST a moment after
// KILL; an audit row is finished after the verify step).

/** Calls `fn` until `ok(value)` holds or `timeoutMs` has passed; returns the last value either way. */
export async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
