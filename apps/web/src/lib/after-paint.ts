/** Input (a keystroke, a click) this recent means the operator is busy: the page is not idle. */
const QUIET_MS = 150;
let lastInput = -Infinity;
if (typeof addEventListener !== 'undefined' && typeof performance !== 'undefined') {
  for (const type of ['input', 'keydown', 'pointerdown']) addEventListener(type, () => (lastInput = performance.now()), { capture: true, passive: true });
}

/**
 * Runs `task` when the page is next idle (no input or frame waiting, and no input for QUIET_MS: work
 * put off until idle never lands between two keystrokes), or after `timeoutMs` at the latest.
 * Returns what cancels it.
 */
export function whenIdle(task: () => void, timeoutMs = 2000): () => void {
  if (typeof requestIdleCallback === 'undefined') {
    const timer = setTimeout(task, 0);
    return () => clearTimeout(timer);
  }
  const deadline = performance.now() + timeoutMs;
  let handle = 0;
  const run = () => {
    const now = performance.now();
    if (now - lastInput < QUIET_MS && now < deadline) handle = requestIdleCallback(run, { timeout: Math.max(0, deadline - now) });
    else task();
  };
  handle = requestIdleCallback(run, { timeout: timeoutMs });
  return () => cancelIdleCallback(handle);
}
