/**
 * kill -9 in the middle of a WeChat Pay callback (issue 11 point 19): the server (a child process)
 * dies inside the crediting transaction; WeChat Pay retries the notification to the restarted server
 * (same address) and the top-up is credited exactly once; `verify-ledger` is clean.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { childPlatform, type ChildPlatform } from '../support/child-platform.ts';
import { startFakeWechatpay, type FakeWechatpay } from '../../src/modules/payments/fake/server.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

let cp: ChildPlatform;
let fake: FakeWechatpay;
const PHONE = '18475511853';

before(async () => {
  fake = await startFakeWechatpay({ timeScale: 0.001 });
  fake.knobs.dropCallbacks = true; // the test sends each notification itself, as WeChat's retries would
  const doc: any = minimalDoc();
  doc.operators[0].payments = { wechatpay: fake.operatorSettings() };
  cp = await childPlatform(doc);
});
after(async () => {
  await cp?.cleanup();
  await fake?.close();
});

async function staffToken(url: string) {
  const r = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op1-staff', password: 'op1-staff-pass' }) });
  return ((await r.json()) as any).token as string;
}

test('kill -9 inside the crediting transaction of a payment callback: the retried notification credits once', { timeout: 180_000 }, async () => {
  const db0 = await cp.db();
  const before = (await db0.query<{ balance_fen: number }>(`SELECT balance_fen FROM ledger_accounts WHERE kind = 'wallet' AND ref = $1`, [PHONE])).rows[0].balance_fen;
  await db0.close();

  const s1 = await cp.start({ fault: 'payments:credit:before-commit' });
  const token = await staffToken(s1.url);
  const created = await fetch(`${s1.url}/api/v1/topups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ phone: PHONE, amount: '50.00', channel: 'wechatpay_h5' }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { outTradeNo } = (await created.json()) as any;
  fake.pay(outTradeNo);
  const first = await fake.notify(outTradeNo); // the server dies while crediting: no answer
  const ok = (x: number | string) => typeof x === 'number' && x >= 200 && x < 300;
  assert.ok(!first.some(ok), `the first notification was not acknowledged: ${first}`);
  assert.equal(await s1.exited, 'SIGKILL', s1.out());

  const s2 = await cp.start();
  // WeChat Pay retries until acknowledged; twice here, as a retry may arrive while another is in flight
  const again = await fake.notify(outTradeNo, { copies: 2 });
  assert.ok(again.every(ok), `both acknowledged: ${again}`);
  await s2.stop();

  const db = await cp.db();
  try {
    const t = (await db.query<{ status: string }>(`SELECT status FROM topups WHERE out_trade_no = $1`, [outTradeNo])).rows[0];
    assert.equal(t.status, 'credited');
    const txs = (await db.query(`SELECT id FROM ledger_transactions WHERE cause = 'topup' AND cause_ref = $1`, [outTradeNo])).rows;
    assert.equal(txs.length, 1, 'credited exactly once');
    const after = (await db.query<{ balance_fen: number }>(`SELECT balance_fen FROM ledger_accounts WHERE kind = 'wallet' AND ref = $1`, [PHONE])).rows[0].balance_fen;
    assert.equal(after - before, 5000);
    // this database saw only these three notifications: each stored before it was acted on, the killed one too
    const inbox = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE source = 'wechatpay'`)).rows[0].n;
    assert.equal(inbox, 3);
  } finally {
    await db.close();
  }
  const verify = cp.cli('verify-ledger');
  assert.equal(verify.status, 0, verify.output);
});
