// Load: 50 simulated operators mixing listings, previews and commits (real sessions opened and killed)
// against das-local on MariaDB for a bounded time (QUELL_LOAD_SECONDS, default 8; bench/load.bench.ts
// runs 60 s). Zero 5xx, zero unexpected answers, no audit row lost, duplicated or left pending, every
// session reported killed gone, every bystander alive. Latency percentiles are printed, not asserted.
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../test/load.ts';

const SECONDS = Number(process.env.QUELL_LOAD_SECONDS ?? 8);

describe(`load: 50 operators for ${SECONDS} s`, () => {
  it('no 5xx, no lost or duplicated audit rows, kills verified', async () => {
    const r = await runLoad({ operators: 50, seconds: SECONDS, maxOpenVictims: 25 });
    console.log(`load: ${JSON.stringify(r)}`);
    expect(r.firstUnexpected).toBeUndefined();
    expect(r.status5xx).toBe(0);
    expect(r.unexpected).toBe(0);
    expect(r.requests).toBeGreaterThan(100);
    expect(r.commits).toBeGreaterThan(10);
    expect(r.commitKeys).toBe(r.commits);
    expect(r.auditLost).toBe(0);
    expect(r.auditDuplicated).toBe(0);
    expect(r.auditPending).toBe(0);
    expect(r.auditRows).toBe(r.commitKeys);
    expect(r.sessionsKilled).toBeGreaterThan(0);
    expect(r.reportedKilledStillAlive).toBe(0);
    expect(r.bystandersKilled).toBe(0);
  }, 60_000 + SECONDS * 1000);
});
