// When did the operator last touch the page? Requests made long after that are the page's own
// (auto-refresh in an open tab) and must not keep the login alive on the server.
const INPUT_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
export const IDLE_AFTER_MS = 60_000;

let lastInputAt = Date.now();

export function trackOperatorActivity(target: Pick<Window, 'addEventListener'> = window): void {
  for (const type of INPUT_EVENTS) target.addEventListener(type, () => markOperatorActive(), { capture: true, passive: true });
}

export function markOperatorActive(at = Date.now()): void {
  lastInputAt = at;
}

export function operatorIsIdle(now = Date.now()): boolean {
  return now - lastInputAt > IDLE_AFTER_MS;
}
