import { describe, expect, it } from 'vitest';
import type { SessionOutcome } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { resolveRollingBack } from './recheck.ts';

const rolling: SessionOutcome = { sessionId: 41, user: 'app', host: '10.0.0.5:51000', database: 'shop', outcome: 'rolling-back', rollingBackSeconds: 4 };
const listed = (over: Partial<Session> = {}): Map<number, Session> => {
  const s: Session = { id: 41, user: 'app', host: '10.0.0.5:51000', database: 'shop', command: 'Killed', time: 9, state: 'Rollback', sql: '', trxExecutedTime: 30, ...over };
  return new Map([[s.id, s]]);
};
const who = { sessionId: 41, user: 'app', host: '10.0.0.5:51000', database: 'shop' };

describe('what a rolling-back session has become', () => {
  it('gone from the listing: killed', () => {
    expect(resolveRollingBack(rolling, new Map())).toEqual({ ...who, outcome: 'killed' });
  });

  it('still listed as Killed: rolling back, with the new seconds', () => {
    expect(resolveRollingBack(rolling, listed())).toEqual({ ...who, outcome: 'rolling-back', rollingBackSeconds: 9 });
  });

  it('listed with its identity but no longer Killed: still-present', () => {
    expect(resolveRollingBack(rolling, listed({ command: 'Sleep', state: '' }))).toEqual({ ...who, outcome: 'still-present' });
  });

  it('its id now on another connection (other port, user or database): the rolled-back one is gone, so killed', () => {
    for (const over of [{ host: '10.0.0.5:52000' }, { user: 'other' }, { database: 'crm' }]) {
      expect(resolveRollingBack(rolling, listed({ ...over, command: 'Query' }))).toEqual({ ...who, outcome: 'killed' });
    }
  });
});
