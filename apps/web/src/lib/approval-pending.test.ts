import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api-client';
import { approvalPath, approvalPendingOf } from './approval-pending';

describe('approvalPendingOf', () => {
  it('reads the request a kill became, and nothing from any other error', () => {
    const asked = new ApiError({ status: 428, code: 'APPROVAL_REQUIRED', message: 'waiting', details: { approvalId: 'a-1', expiresAt: '2030-01-01T00:10:00.000Z' } });
    expect(approvalPendingOf(asked)).toEqual({ approvalId: 'a-1', expiresAt: '2030-01-01T00:10:00.000Z' });
    expect(approvalPendingOf(new ApiError({ status: 422, code: 'CONFIRMATION_REQUIRED', message: 'type it', details: { approvalId: 'a-1', expiresAt: 'x' } }))).toBeNull();
    expect(approvalPendingOf(new ApiError({ status: 428, code: 'APPROVAL_REQUIRED', message: 'no details' }))).toBeNull();
    expect(approvalPendingOf(new Error('plain'))).toBeNull();
    expect(approvalPath('a/1')).toBe('/approvals/a%2F1');
  });
});
