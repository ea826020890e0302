// The instance's SQL limit switch: rules act only while it is ON (DAS-INCIDENT-API.md §4). Turning it
// on is asynchronous: a job to poll until it completes or fails.
import type { InstanceConfig } from '../config.ts';
import type { DasPort } from '../das/port.ts';
import { UpstreamError } from '../errors.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SwitchPolling {
  pollMs: number;
  timeoutMs: number;
}

/** Makes sure the switch is ON; returns the DAS request ids of any change. A FAILED job is an error carrying its reason. */
export async function ensureSwitchOn(das: DasPort, instance: InstanceConfig, polling: SwitchPolling): Promise<Array<string | undefined>> {
  const instanceId = instance.instanceId;
  const deadline = Date.now() + polling.timeoutMs;
  let status = await das.showSqlLimitSwitchStatus({ instanceId });
  // Another change is under way: wait for it to settle before deciding.
  while (status === 'Switching' && Date.now() < deadline) {
    await sleep(polling.pollMs);
    status = await das.showSqlLimitSwitchStatus({ instanceId });
  }
  if (status === 'ON') return [];
  const { jobId, requestId } = await das.changeSqlLimitSwitchStatus({ instanceId, status: 'ON' });
  for (;;) {
    const job = await das.showSqlLimitJobInfo({ instanceId, jobId });
    if (job.status === 'COMPLETED') return [requestId];
    if (job.status === 'FAILED') {
      const reason = job.failReason || 'no reason given';
      throw new UpstreamError('UPSTREAM_ERROR', `DAS could not turn the SQL limit switch on (job ${jobId} FAILED: ${reason})`, { httpStatus: 200, errorMsg: reason, ...(requestId ? { dasRequestId: requestId } : {}) });
    }
    if (Date.now() >= deadline) {
      throw new UpstreamError('UPSTREAM_TIMEOUT', `the SQL limit switch job ${jobId} was still RUNNING after ${Math.round(polling.timeoutMs / 1000)} s`, { httpStatus: 200, errorMsg: 'the switch job did not finish in time' }, true);
    }
    await sleep(polling.pollMs);
  }
}
