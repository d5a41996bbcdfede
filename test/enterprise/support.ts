import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { loadOrdersDemo } from '../../src/modules/orders/demo.ts';

export const E = '/api/v1/enterprises/acme';
/** the member of acme whose demo orders the statements show */
export const P1 = '18475511853';

/**
 * The statement tests' platform: enterprise acme (顺丰速运) with its member P1 in a department
 * (华南, or 华南 › 深圳 with `nested`), `before` for what a test adds ahead of the demo's orders, then a
 * day of demo orders; `month` is the operator-zone month of the latest order.
 */
export async function statementPlatform(o: { nested?: boolean; before?: (p: TestPlatform, admin: string) => Promise<void> } = {}) {
  const doc: any = minimalDoc();
  const p = await startTestPlatform({ provisioning: doc });
  const admin = await p.login('op1-admin', 'op1-admin-pass');
  assert.equal((await p.api('POST', '/api/v1/enterprises', { id: 'acme', name: '顺丰速运', creditLimit: '100000.00' }, admin)).status, 201);
  const south = (await p.api('POST', `${E}/departments`, { name: '华南' }, admin)).body.id as number;
  const dept = o.nested ? ((await p.api('POST', `${E}/departments`, { name: '深圳', parentId: south }, admin)).body.id as number) : south;
  assert.equal((await p.api('POST', `${E}/members`, { phone: P1, departmentId: dept }, admin)).status, 201);
  await o.before?.(p, admin);
  await loadOrdersDemo(p, doc);
  const month = (await p.ctx.db.query<{ m: string }>(`SELECT to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS m FROM ledger_transactions WHERE cause = 'order' ORDER BY id DESC LIMIT 1`)).rows[0].m;
  return { p, admin, south, month };
}
