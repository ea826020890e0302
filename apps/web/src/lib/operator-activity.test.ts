import { describe, expect, it } from 'vitest';
import { IDLE_AFTER_MS, markOperatorActive, operatorIsIdle, trackOperatorActivity } from './operator-activity';

describe('operator activity', () => {
  it('is idle only once no input arrived for a minute', () => {
    markOperatorActive(1_000);
    expect(operatorIsIdle(1_000 + IDLE_AFTER_MS)).toBe(false);
    expect(operatorIsIdle(1_001 + IDLE_AFTER_MS)).toBe(true);
  });

  it('any key or pointer input counts as activity', () => {
    const target = new EventTarget();
    trackOperatorActivity(target as unknown as Window);
    markOperatorActive(0);
    expect(operatorIsIdle()).toBe(true);
    target.dispatchEvent(new Event('keydown'));
    expect(operatorIsIdle()).toBe(false);
  });
});
