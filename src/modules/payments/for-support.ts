/**
 * What support reads about top-ups: one by its out_trade_no, or a driver's around a session, each
 * with what the provider told us (callbacks, queries, reconciliation). No payment parameters.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { topupHistory, topupView, type TopupRow } from './topups.ts';

async function view(q: Queryable, t: TopupRow) {
  // what the provider needs to take the payment is nobody else's business
  const { payParams: _p, notifyUrl: _n, expiresAt: _e, refunded: _r, createdBy: _c, error: _x, ...v } = topupView(t);
  return { ...v, events: await topupHistory(q, t.operator_id, t.out_trade_no) };
}
export type SupportTopup = Awaited<ReturnType<typeof view>>;

export async function topupForSupport(q: Queryable, operatorId: string, outTradeNo: string): Promise<SupportTopup | null> {
  if (!outTradeNo || outTradeNo.length > 64) return null;
  const r = await q.query<TopupRow>(`SELECT * FROM topups WHERE operator_id = $1 AND out_trade_no = $2`, [operatorId, outTradeNo]);
  return r.rows[0] ? view(q, r.rows[0]) : null;
}

/** A driver's top-ups created in [from, to), newest first. */
export async function topupsOfPhone(q: Queryable, operatorId: string, phone: string, from: Date, to: Date, limit = 20): Promise<SupportTopup[]> {
  const r = await q.query<TopupRow>(
    `SELECT * FROM topups WHERE operator_id = $1 AND phone = $2 AND created_at >= $3 AND created_at < $4 ORDER BY created_at DESC LIMIT $5`,
    [operatorId, phone, from, to, limit],
  );
  const out: SupportTopup[] = [];
  for (const t of r.rows) out.push(await view(q, t));
  return out;
}
