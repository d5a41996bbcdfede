import assert from 'node:assert/strict';
import type { Queryable } from '../../src/platform/db/index.ts';
import { checkBalances } from '../../src/modules/wallet/index.ts';

/** Asserts the ledger of every operator is consistent after a money suite ran (issue 11, point 6). */
export async function assertLedgerClean(q: Queryable) {
  const ops = await q.query<{ operator_id: string }>(`SELECT DISTINCT operator_id FROM ledger_accounts`);
  for (const { operator_id } of ops.rows) {
    const r = await checkBalances(q, operator_id);
    assert.ok(r.ok, `ledger of ${operator_id} is not clean: ${JSON.stringify(r)}`);
  }
}
