/**
 * Daily check_charge_orders for the previous local day: every order version we last pushed for a
 * partner (latest version per order), the partner's DisputeOrders recorded for reconciliation
 * (DisputeReason 1 missing, 2 amount, 3 energy). Runs from croner in each operator's time zone;
 * the dedupe key makes it once per (operator, partner, day) however many nodes run.
 */
import { Cron } from 'croner';
import { Temporal } from 'temporal-polyfill';
import type { Ctx } from '../../platform/context.ts';
import { getOperator } from '../registry/index.ts';
import { callPartner } from './client.ts';
import { listPartners } from './partners.ts';
import { loadPartner, orderingKey } from './topics.ts';

function dayBounds(day: string, tz: string) {
  const start = Temporal.PlainDate.from(day).toZonedDateTime({ timeZone: tz });
  return { from: new Date(start.epochMilliseconds), to: new Date(start.add({ days: 1 }).epochMilliseconds) };
}

export async function enqueueDailyChecks(ctx: Ctx, operatorId: string, day: string) {
  const partners = await listPartners(ctx.db, operatorId);
  for (const p of partners)
    await ctx.outbox.enqueue(ctx.db, {
      operatorId,
      topic: 'roaming.check',
      payload: { operatorId, partnerId: p.id, day },
      orderingKey: orderingKey(operatorId, p.id),
      dedupeKey: `roaming:check:${operatorId}:${p.id}:${day}`,
    });
}

export function registerCheck(ctx: Ctx) {
  ctx.outbox.register('roaming.check', async (row) => {
    const { operatorId, partnerId, day } = row.payload as { operatorId: string; partnerId: string; day: string };
    const r = await runCheck(ctx, operatorId, partnerId, day);
    return { orders: r.sent.ChargeOrders.length, disputes: r.disputes.length };
  });
}

/** One day's check_charge_orders for one partner, now: what we sent and the partner's DisputeOrders. */
export async function runCheck(ctx: Ctx, operatorId: string, partnerId: string, day: string) {
  const partner = await loadPartner(ctx, operatorId, partnerId);
  const op = await getOperator(ctx.db, operatorId);
  const tz = op?.timezone ?? 'Asia/Shanghai';
  const { from, to } = dayBounds(day, tz);
  const r = await ctx.db.query<{ start_charge_seq: string; total_fen: number; total_wh: number; payload: any }>(
    `SELECT DISTINCT ON (order_no) start_charge_seq, total_fen, total_wh, payload FROM roaming_order_pushes
     WHERE operator_id = $1 AND partner_id = $2 AND end_time >= $3 AND end_time < $4 ORDER BY order_no, version DESC`,
    [operatorId, partnerId, from, to],
  );
  const orders = r.rows.sort((a, b) => a.start_charge_seq.localeCompare(b.start_charge_seq));
  const ours = (op?.tcec_operator_id ?? '').padEnd(9, '0');
  const data = {
    CheckOrderSeq: `${ours}${'0'.repeat(10)}${day.replace(/-/g, '')}`,
    StartTime: `${day} 00:00:00`,
    EndTime: `${day} 23:59:59`,
    OrderCount: orders.length,
    TotalOrderPower: Number((orders.reduce((a, o) => a + Math.round(Number(o.payload.TotalPower) * 100), 0) / 100).toFixed(2)),
    TotalOrderMoney: Number((orders.reduce((a, o) => a + o.total_fen, 0) / 100).toFixed(2)),
    ChargeOrders: orders.map((o) => ({ StartChargeSeq: o.start_charge_seq, TotalPower: o.payload.TotalPower, TotalMoney: o.payload.TotalMoney })),
  };
  await ctx.db.query(
    `INSERT INTO roaming_checks (operator_id, partner_id, day, check_order_seq, sent) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (operator_id, partner_id, day) DO UPDATE SET sent = EXCLUDED.sent`,
    [operatorId, partnerId, day, data.CheckOrderSeq, JSON.stringify(data)],
  );
  const answer = await callPartner(ctx, partner, 'check_charge_orders', data);
  const disputes = (Array.isArray(answer.DisputeOrders) ? answer.DisputeOrders : []) as Record<string, unknown>[];
  await ctx.db.tx(async (q) => {
    await q.query(`UPDATE roaming_checks SET answer = $4, answered_at = now() WHERE operator_id = $1 AND partner_id = $2 AND day = $3`, [
      operatorId,
      partnerId,
      day,
      JSON.stringify(answer),
    ]);
    for (const d of disputes)
      await q.query(
        `INSERT INTO roaming_disputes (operator_id, partner_id, day, start_charge_seq, dispute_reason, partner_total_power, partner_total_money)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (operator_id, partner_id, day, start_charge_seq) DO UPDATE SET dispute_reason = EXCLUDED.dispute_reason,
           partner_total_power = EXCLUDED.partner_total_power, partner_total_money = EXCLUDED.partner_total_money`,
        [operatorId, partnerId, day, String(d.StartChargeSeq ?? ''), Number(d.DisputeReason ?? 99), d.TotalPower === undefined ? null : String(d.TotalPower), d.TotalMoney === undefined ? null : String(d.TotalMoney)],
      );
  });
  return { sent: data, disputes };
}

export interface CheckDay {
  sent: { ChargeOrders: { StartChargeSeq: string; TotalPower: number; TotalMoney: number }[] };
  disputes: Record<string, unknown>[];
}

/**
 * The partner's answer for one day (reconciliation's counterparty source): the stored answer of the
 * daily check when there is one, else the check is made now.
 */
export async function checkAnswer(ctx: Ctx, operatorId: string, partnerId: string, day: string): Promise<CheckDay> {
  const r = await ctx.db.query<{ sent: CheckDay['sent']; answer: any }>(`SELECT sent, answer FROM roaming_checks WHERE operator_id = $1 AND partner_id = $2 AND day = $3 AND answer IS NOT NULL`, [
    operatorId,
    partnerId,
    day,
  ]);
  const x = r.rows[0];
  if (x) return { sent: x.sent, disputes: Array.isArray(x.answer?.DisputeOrders) ? x.answer.DisputeOrders : [] };
  return runCheck(ctx, operatorId, partnerId, day);
}

/** One croner job per time zone in use: at 02:30 local, check the previous day. */
export async function startDailyChecks(ctx: Ctx): Promise<Cron[]> {
  const r = await ctx.db.query<{ tz: string }>(`SELECT DISTINCT timezone AS tz FROM operators`);
  const zones = new Set(['Asia/Shanghai', ...r.rows.map((x) => x.tz)]);
  return [...zones].map(
    (tz) =>
      new Cron('0 30 2 * * *', { timezone: tz, protect: true }, async () => {
        const ops = await ctx.db.query<{ id: string }>(`SELECT id FROM operators WHERE timezone = $1`, [tz]);
        const yesterday = Temporal.Now.zonedDateTimeISO(tz).subtract({ days: 1 }).toPlainDate().toString();
        for (const o of ops.rows) await enqueueDailyChecks(ctx, o.id, yesterday).catch((err) => ctx.log.error({ err }, 'check_charge_orders enqueue failed'));
      }),
  );
}
