import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';

let p: TestPlatform;
let admin: string, staff: string, other: string;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  staff = await p.login('op1-staff', 'op1-staff-pass');
  other = await p.login('op2-admin', 'op2-admin-pass');
});
after(async () => p.close());

test('provisioning books the opening balance once as a ledger entry (cause opening)', async () => {
  await provision(p.ctx.db, minimalDoc()); // a second run books nothing more
  const d = await p.api('GET', '/api/v1/drivers/18475511853', undefined, staff);
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.walletBalance, '100.00');
  assert.equal(d.body.paymentMethod, 'wallet');
  assert.deepEqual(d.body.idTags.map((t: any) => [t.id, t.authorization]), [['CARD0001', 'Accepted']]);
  const l = await p.api('GET', '/api/v1/drivers/18475511853/ledger', undefined, staff);
  assert.equal(l.body.total, 1);
  assert.equal(l.body.items[0].cause, 'opening');
  assert.equal(l.body.items[0].amount, '100.00');
  assert.equal(l.body.items[0].balanceAfter, '100.00');
  const c = await p.api('GET', '/api/v1/wallet/check', undefined, staff);
  assert.equal(c.body.ok, true, JSON.stringify(c.body));
});

test('drivers: create, search by phone/name/plate/card, patch, id tags block/unblock/expire', async () => {
  const created = await p.api('POST', '/api/v1/drivers', { phone: '13912345678', name: '王女士', plates: ['粤B12345'], idTags: [{ id: 'CARD7777' }] }, staff);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.walletBalance, '0.00');
  assert.equal((await p.api('POST', '/api/v1/drivers', { phone: '13912345678' }, staff)).status, 409);
  assert.equal((await p.api('POST', '/api/v1/drivers', { phone: '139x' }, staff)).status, 400);
  for (const q of ['1391234', '王女', '粤B123', 'card7777']) {
    const s = await p.api('GET', `/api/v1/drivers?q=${encodeURIComponent(q)}`, undefined, staff);
    assert.deepEqual(s.body.items.map((d: any) => d.phone), ['13912345678'], q);
  }
  const page = await p.api('GET', '/api/v1/drivers?page=1&pageSize=2', undefined, staff);
  assert.equal(page.body.items.length, 2);
  assert.ok(page.body.total >= 4);
  // another driver's card is refused
  assert.equal((await p.api('POST', '/api/v1/drivers/13912345678/id-tags', { id: 'CARD0001' }, staff)).status, 409);
  const app = await p.api('POST', '/api/v1/drivers/13912345678/id-tags', { id: 'APP13912345678', kind: 'app' }, staff);
  assert.equal(app.status, 201);
  const blocked = await p.api('PATCH', '/api/v1/drivers/13912345678/id-tags/CARD7777', { action: 'block' }, staff);
  assert.equal(blocked.body.idTags.find((t: any) => t.id === 'CARD7777').authorization, 'Blocked');
  const unblocked = await p.api('PATCH', '/api/v1/drivers/13912345678/id-tags/CARD7777', { action: 'unblock' }, staff);
  assert.equal(unblocked.body.idTags.find((t: any) => t.id === 'CARD7777').authorization, 'Accepted');
  const expired = await p.api('PATCH', '/api/v1/drivers/13912345678/id-tags/CARD7777', { action: 'expire' }, staff);
  assert.equal(expired.body.idTags.find((t: any) => t.id === 'CARD7777').authorization, 'Expired');
  const patched = await p.api('PATCH', '/api/v1/drivers/13912345678', { status: 'blocked', plates: ['粤B99999'] }, staff);
  assert.equal(patched.body.status, 'blocked');
  assert.deepEqual(patched.body.plates, ['粤B99999']);
  assert.equal(patched.body.idTags.find((t: any) => t.id === 'APP13912345678').authorization, 'Blocked', 'a blocked driver blocks every tag');
});

test('tenancy and roles: another operator sees no driver; no token is 401', async () => {
  assert.equal((await p.api('GET', '/api/v1/drivers/18475511853', undefined, other)).status, 404);
  assert.deepEqual((await p.api('GET', '/api/v1/drivers', undefined, other)).body.items, []);
  assert.equal((await p.api('GET', '/api/v1/drivers')).status, 401);
  assert.equal((await p.api('GET', '/api/v1/drivers?operatorId=op1', undefined, other)).status, 403);
});

test('manual adjustments: operator_admin only, remark required, never below zero, on the ledger with balance after', async () => {
  const path = '/api/v1/drivers/18475511853/wallet/adjustments';
  assert.equal((await p.api('POST', path, { amount: '1.00', direction: 'credit', remark: 'x' }, staff)).status, 403);
  const noRemark = await p.api('POST', path, { amount: '1.00', direction: 'credit', remark: '  ' }, admin);
  assert.equal(noRemark.status, 400);
  assert.match(noRemark.body.error.message, /remark/);
  const ok = await p.api('POST', path, { amount: '12.34', direction: 'credit', remark: 'case 5: top-up lost by the wrong callback URL', idempotencyKey: 'k1' }, admin);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.walletBalance, '112.34');
  const again = await p.api('POST', path, { amount: '12.34', direction: 'credit', remark: 'retry', idempotencyKey: 'k1' }, admin);
  assert.equal(again.status, 200);
  assert.equal(again.body.walletBalance, '112.34');
  const tooMuch = await p.api('POST', path, { amount: '112.35', direction: 'debit', remark: 'too much' }, admin);
  assert.equal(tooMuch.status, 409);
  assert.equal(tooMuch.body.error.code, 'insufficient_balance');
  const l = await p.api('GET', '/api/v1/drivers/18475511853/ledger?pageSize=1', undefined, staff);
  assert.equal(l.body.items[0].cause, 'manual');
  assert.equal(l.body.items[0].remark, 'case 5: top-up lost by the wrong callback URL');
  assert.equal(l.body.items[0].actor, 'op1-admin');
  assert.equal(l.body.items[0].balanceAfter, '112.34');
  assert.equal((await p.api('GET', '/api/v1/wallet/check', undefined, staff)).body.ok, true);
});

test('the ledger is append-only in the database itself', async () => {
  await assert.rejects(p.ctx.db.query(`UPDATE ledger_entries SET amount_fen = 1`), /append-only/);
  await assert.rejects(p.ctx.db.query(`DELETE FROM ledger_transactions`), /append-only/);
});

test('wallet check finds a cached balance that disagrees with the entries', async () => {
  await p.ctx.db.query(`UPDATE ledger_accounts SET balance_fen = balance_fen + 1 WHERE operator_id = 'op1' AND kind = 'wallet' AND ref = '18475511853'`);
  const c = await p.api('GET', '/api/v1/wallet/check', undefined, staff);
  assert.equal(c.body.ok, false);
  assert.deepEqual(c.body.mismatches, [{ account: 'wallet', ref: '18475511853', cachedFen: 11235, entriesFen: 11234 }]);
  await p.ctx.db.query(`UPDATE ledger_accounts SET balance_fen = balance_fen - 1 WHERE operator_id = 'op1' AND kind = 'wallet' AND ref = '18475511853'`);
});

test('minimum balance to start: settings, by id tag and by phone', async () => {
  const { canStart } = await import('../../src/modules/wallet/index.ts');
  const db = p.ctx.db;
  assert.equal((await canStart(db, 'op1', { idTag: 'CARD0001' }, p.ctx.clock.date())).ok, true);
  assert.equal((await canStart(db, 'op1', { idTag: 'NOPE' }, p.ctx.clock.date())).code, 'unknown_tag');
  assert.equal((await canStart(db, 'op1', { idTag: 'CARDBLOCK' }, p.ctx.clock.date())).ocppStatus, 'Blocked');
  assert.equal((await canStart(db, 'op1', { idTag: 'CARDOLD' }, p.ctx.clock.date())).code, 'tag_expired');
  const poor = await p.api('POST', '/api/v1/drivers', { phone: '13700000001', idTags: [{ id: 'POOR1' }] }, staff);
  assert.equal(poor.status, 201);
  const no = await canStart(db, 'op1', { idTag: 'POOR1' }, p.ctx.clock.date());
  assert.equal(no.code, 'insufficient_balance');
  assert.match(no.reason, /0\.00 yuan.*5\.00 yuan/);
  await p.api('POST', '/api/v1/drivers/13700000001/wallet/adjustments', { amount: '5.00', direction: 'credit', remark: 'test' }, admin);
  assert.equal((await p.api('GET', '/api/v1/drivers/13700000001/can-start', undefined, staff)).body.ok, true);
  const s = await p.api('PUT', '/api/v1/wallet/settings', { minStartBalance: '20.00', stopMargin: '1.00', stopHorizonSeconds: 60, lowBalance: '10.00' }, admin);
  assert.equal(s.status, 200);
  assert.equal(s.body.startHold, '30.00', 'the start hold defaults to 30.00 and a PUT without it keeps it');
  const h = await p.api('PUT', '/api/v1/wallet/settings', { minStartBalance: '20.00', stopMargin: '1.00', stopHorizonSeconds: 60, lowBalance: '10.00', startHold: '25.50' }, admin);
  assert.equal(h.body.startHold, '25.50');
  const keep = await p.api('PUT', '/api/v1/wallet/settings', { minStartBalance: '20.00', stopMargin: '1.00', stopHorizonSeconds: 60, lowBalance: '10.00' }, admin);
  assert.equal(keep.body.startHold, '25.50');
  const c = await p.api('GET', '/api/v1/drivers/13700000001/can-start', undefined, staff);
  assert.deepEqual([c.body.ok, c.body.available, c.body.minimum], [false, '5.00', '20.00']);
  assert.equal((await p.api('PUT', '/api/v1/wallet/settings', { minStartBalance: '1.00', stopMargin: '1.00', stopHorizonSeconds: 60, lowBalance: '10.00' }, staff)).status, 403);
});

test('a credited top-up and a debit crossing the low-balance threshold queue driver notifications, once each', async () => {
  const { creditTopUp, manualAdjust } = await import('../../src/modules/wallet/index.ts');
  const db = p.ctx.db;
  await db.tx((q) => creditTopUp(q, { operatorId: 'op1', phone: '13800000003', amountFen: 3000, outTradeNo: 'N-1', remark: 'wechat pay' }));
  await db.tx((q) => creditTopUp(q, { operatorId: 'op1', phone: '13800000003', amountFen: 3000, outTradeNo: 'N-1', remark: 'wechat pay' }));
  const debit = (fen: number) => db.tx((q) => manualAdjust(q, { operatorId: 'op1', account: { kind: 'wallet', ref: '13800000003' }, amountFen: fen, direction: 'debit', remark: 'test', actor: 't' }));
  await debit(1500); // 30.00 → 15.00: above the 10.00 threshold
  await debit(1000); // 15.00 → 5.00: crosses it
  await debit(100); // already below: no second notice
  const rows = await db.query(`SELECT payload FROM outbox WHERE payload->>'recipient' = '13800000003' AND topic LIKE 'notify.%' ORDER BY id`);
  assert.deepEqual(rows.rows.map((r: any) => r.payload.event), ['topup_credited', 'low_balance']);
  assert.match(rows.rows[0].payload.text, /30\.00/);
  assert.match(rows.rows[1].payload.text, /5\.00.*10\.00/);
});

test('a driver (H5 login) reads its own wallet and ledger, never another driver’s, and may not adjust', async () => {
  const { signToken } = await import('../../src/platform/auth/tokens.ts');
  const me = signToken({ sub: '18475511853', role: 'driver', operatorId: 'op1' }, p.ctx.authSecret);
  const own = await p.api('GET', '/api/v1/drivers/18475511853', undefined, me);
  assert.equal(own.status, 200);
  assert.match(own.body.walletBalance, /^\d+\.\d{2}$/);
  assert.equal((await p.api('GET', '/api/v1/drivers/18475511853/ledger', undefined, me)).status, 200);
  assert.equal((await p.api('GET', '/api/v1/drivers/13912345678', undefined, me)).status, 403);
  assert.equal((await p.api('GET', '/api/v1/drivers', undefined, me)).status, 403);
  assert.equal((await p.api('POST', '/api/v1/drivers/18475511853/wallet/adjustments', { amount: '1.00', direction: 'credit', remark: 'me' }, me)).status, 403);
});

verifyLedgerLast(() => p.ctx.db);
