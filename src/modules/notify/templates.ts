/** The text each event sends (zh-CN, as drivers and staff in Shenzhen read it). Pure. */
import type { NotifyEvent } from './settings.ts';
import { formatYuan, parseYuan } from '../../platform/money.ts';

export const PERIOD_NAMES: Record<string, string> = { sharp: '尖段', peak: '峰段', flat: '平段', valley: '谷段' };

/**
 * Per-period amounts as the operator's staff read them: `平段:6.59 谷段:2.84` — one entry per
 * period type in order of first appearance, amount = electricity + service in yuan.
 */
export function periodSummary(periods: { type: string; electricityAmount: string; serviceAmount: string }[]): string {
  const fen = new Map<string, number>();
  for (const p of periods) fen.set(p.type, (fen.get(p.type) ?? 0) + parseYuan(p.electricityAmount) + parseYuan(p.serviceAmount));
  if (!fen.size) return '-';
  return [...fen].map(([t, f]) => `${PERIOD_NAMES[t] ?? t}:${formatYuan(f)}`).join(' ');
}

const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function render(event: NotifyEvent, d: Record<string, any>): string {
  const figures = () =>
    `电量${s(d.energyKwh)}度,电费${s(d.electricityAmount)}元,服务费${s(d.serviceAmount)}元,占位费${s(d.idleFee)}元,合计${s(d.totalAmount)}元` +
    (Array.isArray(d.periods) && d.periods.length ? `(${periodSummary(d.periods)})` : '');
  switch (event) {
    case 'order_completed':
      return `您的充电订单${s(d.orderNo)}已完成:${figures()}。`;
    case 'bill_adjusted':
      return `您的充电订单${s(d.orderNo)}账单已调整(原${s(d.previousTotalAmount)}元):${figures()}。差额${s(d.deltaAmount)}元已${Number(d.deltaAmount) < 0 ? '退回' : '扣除'}。`;
    case 'low_balance':
      return `您的账户余额${s(d.balance)}元,已低于${s(d.threshold)}元,请及时充值。`;
    case 'topup_credited':
      return `您的充值${s(d.amount)}元已到账${d.balance !== undefined ? `,当前余额${s(d.balance)}元` : ''}。`;
    case 'abnormal_order_held':
      return `异常订单${s(d.orderNo)}(${s(d.chargerId)} ${s(d.connectorId)}号枪)已挂起待审核:${(d.abnormalReasons ?? []).map((r: any) => r.message ?? r.code).join(';')}`;
    case 'login_code':
      return s(d.text);
  }
}
