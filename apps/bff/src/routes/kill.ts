// POST /api/kill-previews/:previewId/commit
import { Router } from 'express';
import { z } from 'zod';
import { CommitRequest, IdempotencyKey } from '@quell/contracts/kill';
import { IDEMPOTENCY_HEADER } from '@quell/contracts/routes';
import { parseOr400, ValidationError } from '../errors.ts';
import type { KillService } from '../kill/service.ts';
import { authOf, requireRole } from '../middleware/guards.ts';

const PreviewParam = z.object({ previewId: z.uuid('must be a preview id') });

export function killRouter(kill: KillService): Router {
  const r = Router();
  r.post('/api/kill-previews/:previewId/commit', requireRole('operator'), async (req, res) => {
    const { previewId } = parseOr400(PreviewParam, req.params);
    const body = parseOr400(CommitRequest, req.body ?? {});
    const rawKey = req.get(IDEMPOTENCY_HEADER);
    if (rawKey === undefined) throw new ValidationError([{ field: 'headers.idempotency-key', message: 'is required' }]);
    const key = parseOr400(IdempotencyKey, rawKey, 'headers.idempotency-key');
    const { result, replayed } = await kill.commit(authOf(res), previewId, body, key);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.json(result);
  });
  return r;
}
