import { describe, expect, it } from 'vitest';
import type { Session } from '@quell/contracts/sessions';
import { stillListedOutcome, summarize } from './outcomes.ts';

const target: Session = { id: 41, user: 'app', host: '10.0.0.5:51000', database: 'shop', command: 'Query', time: 120, state: 'Sending data', sql: 'UPDATE t SET x = 1', trxExecutedTime: 300 };

describe('the outcome of a sent kill whose session is still listed', () => {
  it('is rolling-back, with its seconds in Killed, when the server lists it as Killed', () => {
    expect(stillListedOutcome(target, { command: 'Killed', time: 7 })).toEqual({ sessionId: 41, user: 'app', host: '10.0.0.5:51000', database: 'shop', outcome: 'rolling-back', rollingBackSeconds: 7 });
  });

  it('is still-present for any other command, and carries no seconds', () => {
    for (const command of ['Query', 'Sleep', 'killed', 'Daemon']) {
      expect(stillListedOutcome(target, { command, time: 7 })).toEqual({ sessionId: 41, user: 'app', host: '10.0.0.5:51000', database: 'shop', outcome: 'still-present' });
    }
  });

  it('never reports negative seconds (a clock step on the server)', () => {
    expect(stillListedOutcome(target, { command: 'Killed', time: -2 }).rollingBackSeconds).toBe(0);
  });

  it('counts rolling-back sessions in the summary like any outcome', () => {
    expect(summarize([stillListedOutcome(target, { command: 'Killed', time: 1 }), stillListedOutcome({ ...target, id: 42 }, { command: 'Killed', time: 2 }), stillListedOutcome(target, { command: 'Query', time: 0 })])).toEqual({ 'rolling-back': 2, 'still-present': 1 });
  });
});
