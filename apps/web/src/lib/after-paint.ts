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
export function whenIdle(task: (idle?: IdleDeadline) => void, timeoutMs = 2000): () => void {
  if (typeof requestIdleCallback === 'undefined') {
    const timer = setTimeout(task, 0);
    return () => clearTimeout(timer);
  }
  const deadline = performance.now() + timeoutMs;
  let handle = 0;
  const run = (idle: IdleDeadline) => {
    const now = performance.now();
    if (now - lastInput < QUIET_MS && now < deadline) handle = requestIdleCallback(run, { timeout: Math.max(0, deadline - now) });
    else task(idle);
  };
  handle = requestIdleCallback(run, { timeout: timeoutMs });
  return () => cancelIdleCallback(handle);
}

/** The longest a piece of idle work runs before the page gets a turn: what a keystroke may wait behind. */
const PIECE_MS = 4;

/**
 * Runs `work` (a generator that yields between small steps) when the page is idle, as whenIdle does,
 * but in pieces of at most PIECE_MS: work of 100 000 rows never holds up a keystroke for longer than
 * that. After `timeoutMs` the pieces run without waiting for idle time, still one at a time.
 * `done` gets what the work returns. Returns what stops it.
 */
export function whenIdleInPieces<T>(work: Generator<unknown, T>, done?: (result: T) => void, timeoutMs = 2000): () => void {
  const deadline = performance.now() + timeoutMs;
  let stopped = false;
  let cancel = () => {};
  const piece = (idle?: IdleDeadline) => {
    const until = performance.now() + Math.min(PIECE_MS, idle && !idle.didTimeout ? idle.timeRemaining() : PIECE_MS);
    while (!stopped) {
      const step = work.next();
      if (step.done) return done?.(step.value);
      if (performance.now() >= until) break;
    }
    if (stopped) return;
    cancel = whenIdle(piece, Math.max(0, deadline - performance.now()));
  };
  cancel = whenIdle(piece, timeoutMs);
  return () => {
    stopped = true;
    cancel();
  };
}
