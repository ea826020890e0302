// Which kill targets would roll back work: an open transaction that modified rows (from the InnoDB view).
// Asked only when a target has a transaction open; a view that cannot be read leaves the risk unknown.
import type { RollbackRisk } from '@quell/contracts/locks';
import type { Session } from '@quell/contracts/sessions';
import type { Logger } from 'pino';
import type { InstanceConfig } from '../config.ts';
import type { Inventory } from '../kill/inventory.ts';

export async function rollbackRisks(inventory: Inventory, instance: InstanceConfig, targets: readonly Session[], logger: Logger): Promise<RollbackRisk[] | undefined> {
  const inTransaction = new Map(targets.filter((t) => t.trxExecutedTime > 0).map((t) => [t.id, t]));
  if (inTransaction.size === 0) return [];
  try {
    const innodb = await inventory.das(instance).listInnodbLocks({ instanceId: instance.instanceId, dbUserId: inventory.dbUserId(instance) });
    const risks: RollbackRisk[] = [];
    for (const trx of innodb.innodbTrx) {
      const target = inTransaction.get(trx.trxMysqlThreadId);
      if (!target || trx.trxRowsModified <= 0) continue;
      risks.push({ sessionId: target.id, rowsModified: trx.trxRowsModified, trxAgeSeconds: target.trxExecutedTime });
      inTransaction.delete(target.id);
    }
    return risks.sort((a, b) => b.rowsModified - a.rowsModified || a.sessionId - b.sessionId);
  } catch (err) {
    logger.warn({ err, instance: instance.id }, 'rollback risk unknown: the InnoDB lock view could not be read');
    return undefined;
  }
}
