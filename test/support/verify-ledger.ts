import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Queryable } from '../../src/platform/db/index.ts';
import { verifyLedger } from '../../src/modules/orders/index.ts';

/**
 * What `chargeops verify-ledger` checks, asserted clean: the money suites (wallet, order corrections,
 * payments, enterprise) call it after they ran (issue 11, point 6).
 */
export async function assertLedgerClean(q: Queryable) {
  const diffs = await verifyLedger(q);
  assert.deepEqual(diffs.map((d) => `${d.operatorId} ${d.check}: ${d.message}`), [], 'verify-ledger finds differences');
}

/** Registers the last test of a money suite: call it at the END of the file (node:test runs top-level tests in order). */
export function verifyLedgerLast(db: () => Queryable) {
  test('the ledger verifies clean after this suite (chargeops verify-ledger)', () => assertLedgerClean(db()));
}
