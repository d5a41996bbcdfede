import type { RunningPlatform as Platform } from '../../platform/context.ts';
import { createEnterprise } from './service.ts';
import { createDepartment, deleteDepartment } from './departments.ts';
import { addMember } from './members.ts';
import { manualAdjust } from '../wallet/index.ts';

/**
 * Demo enterprise for the first operator: a department tree with one deleted department (case 8:
 * it must not show in the member picker), one member paying from the enterprise account.
 */
export async function loadEnterpriseDemo(p: Platform, doc: any): Promise<void> {
  const op = doc?.operators?.[0];
  const member = op?.drivers?.find((d: any) => d.phone === '13501238000') ?? op?.drivers?.[0];
  if (!op || !member) return;
  await p.ctx.db.tx(async (q) => {
    const exists = await q.query(`SELECT 1 FROM enterprises WHERE operator_id = $1 AND id = 'sf-express'`, [op.id]);
    if (exists.rows[0]) return;
    await createEnterprise(q, op.id, { id: 'sf-express', name: '顺丰速运(深圳)车队', creditLimitFen: 500_00, contact: '何倩怡 0755-8888 0000' });
    const ops = await createDepartment(q, op.id, 'sf-express', { name: '运营部' });
    const fleet = await createDepartment(q, op.id, 'sf-express', { name: '龙岗车队', parentId: ops });
    await createDepartment(q, op.id, 'sf-express', { name: '宝安车队', parentId: ops });
    const old = await createDepartment(q, op.id, 'sf-express', { name: '旧车队(已撤销)', parentId: ops });
    await deleteDepartment(q, op.id, 'sf-express', old, 'demo');
    await addMember(q, op.id, 'sf-express', member.phone, fleet);
    await manualAdjust(q, { operatorId: op.id, account: { kind: 'enterprise', ref: 'sf-express' }, amountFen: 2000_00, direction: 'credit', remark: '对公转账 demo', actor: 'demo', idempotencyKey: 'demo-sf-express-funding' });
  });
}
