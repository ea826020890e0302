// The kill sender: chunks of chunkSize, a few at a time, each sent once; stop() keeps back what is queued.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeleteProcessParams } from '@quell/das-client/types';
import { UpstreamError } from '../errors.ts';
import type { InstanceConfig } from '../config.ts';
import type { KillContext } from './context.ts';
import { KILL_CHUNKS_IN_FLIGHT, killSender } from './send.ts';

const instance = { id: 'unit', instanceId: 'inst', dbUserId: 'db-user' } as InstanceConfig;

/** A DAS whose kills answer only when the test says so; `sent` records each chunk in the order sent. */
function slowDas(failing: (ids: number[]) => UpstreamError | undefined = () => undefined) {
  const sent: number[][] = [];
  const waiting: Array<() => void> = [];
  let inFlight = 0;
  let peak = 0;
  const das = {
    async deleteProcess(p: DeleteProcessParams) {
      const ids = p.processIds ?? [];
      sent.push(ids);
      peak = Math.max(peak, ++inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      const err = failing(ids);
      if (err) throw err;
      return { requestId: `req-${ids[0]}` };
    },
  };
  const c = {
    inventory: { dbUserId: () => 'db-user', das: () => das },
    settings: { chunkSize: 3 },
    logger: pino({ level: 'silent' }),
  } as unknown as KillContext;
  /** Answers every kill sent so far, and those they let go out, until none is left. */
  const answerAll = async () => {
    while (waiting.length > 0) {
      waiting.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { c, sent, answerAll, peak: () => peak };
}

describe('killSender', () => {
  it(`sends full chunks as ids come, at most ${KILL_CHUNKS_IN_FLIGHT} at a time, the rest on flush; every id once`, async () => {
    const das = slowDas();
    const sender = killSender(das.c, instance);
    sender.add([1, 2]);
    expect(das.sent).toEqual([]);
    sender.add([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(das.sent).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const flushed = sender.flush();
    await das.answerAll();
    const out = await flushed;
    expect(das.sent).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]);
    expect(das.peak()).toBe(KILL_CHUNKS_IN_FLIGHT);
    expect([...out.sent].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(out.requestIds.sort()).toEqual(['req-1', 'req-10', 'req-4', 'req-7']);
  });

  it('a failed chunk is recorded for its ids and never sent again; an answered refusal is certain, no answer is not', async () => {
    const refusal = new UpstreamError('UPSTREAM_ERROR', 'refused', { httpStatus: 400, errorCode: 'DAS.200002', dasRequestId: 'req-refused' }, false);
    const timeout = new UpstreamError('UPSTREAM_TIMEOUT', 'no answer', { httpStatus: 0 }, true);
    const das = slowDas((ids) => (ids[0] === 1 ? refusal : ids[0] === 4 ? timeout : undefined));
    const sender = killSender(das.c, instance);
    sender.add([1, 2, 3, 4, 5, 6, 7]);
    const flushed = sender.flush();
    await das.answerAll();
    const out = await flushed;
    expect(das.sent).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect([...out.sent]).toEqual([7]);
    expect([...out.failed.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.failed.get(1)).toMatchObject({ httpStatus: 400, errorCode: 'DAS.200002' });
    expect([...out.uncertain].sort()).toEqual([4, 5, 6]);
    expect(out.requestIds).toContain('req-refused');
  });

  it('stop() drops what is queued and not yet sent; flush then waits only for the chunks in flight', async () => {
    const das = slowDas();
    const sender = killSender(das.c, instance);
    sender.add([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(sender.stop()).toEqual([7, 8]);
    const flushed = sender.flush();
    await das.answerAll();
    const out = await flushed;
    expect(das.sent).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect([...out.sent]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
