import { Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { fmtTime, fmtDuration, durationOf, sumYuan } from '../format.ts';
import { navigate } from '../router.ts';

export interface PeriodView {
  type: string;
  start: string;
  end: string;
  energyKwh: string;
  electricityPrice?: string;
  servicePrice?: string;
  electricityAmount: string;
  serviceAmount: string;
  amount?: string;
}
export interface OrderView {
  orderNo: string;
  version?: number;
  status: string;
  abnormal: boolean;
  abnormalReasons: { code: string; kind?: string; message: string }[];
  stationId: string | null;
  stationName?: string | null;
  chargerId: string;
  connectorId: number;
  card: string | null;
  driver: { phone: string; name: string | null } | null;
  socStart: number | null;
  socEnd: number | null;
  startTime: string;
  endTime: string | null;
  idleEndTime?: string | null;
  durationSeconds?: number | null;
  energyKwh: string;
  electricityAmount: string;
  serviceAmount: string;
  idleFee: string;
  totalAmount: string;
  paymentMethod: string | null;
  partnerOrderNo?: string | null;
  tariffVersionId?: number | null;
  periods: PeriodView[];
}

/** "平段:6.59 谷段:2.84" as in case 3: per-period amounts summed by type, in the order they occur. */
export function periodAmounts(o: Pick<OrderView, 'periods'>, t: TFunction): string {
  const by = new Map<string, string[]>();
  for (const p of o.periods) by.set(p.type, [...(by.get(p.type) ?? []), p.amount ?? sumYuan([p.electricityAmount, p.serviceAmount])]);
  if (!by.size) return '-';
  return [...by.entries()].map(([k, v]) => `${t(`period.${k}`)}:${sumYuan(v)}`).join(' ');
}

export const statusColor: Record<string, string> = { settled: 'green', held: 'red', idle: 'gold' };

/** The case-3 columns, each with a key; the order number first and fixed, so it stays while the rest scroll. */
export function orderColumns(t: TFunction, lang: string) {
  return [
    {
      key: 'orderNo',
      title: t('order.no'),
      dataIndex: 'orderNo',
      width: 200,
      fixed: 'left' as const,
      render: (v: string) => (
        <Typography.Link onClick={() => navigate(`/orders/${v}`)} data-testid={`order-link-${v}`}>
          {v}
        </Typography.Link>
      ),
    },
    { key: 'station', title: t('station'), dataIndex: 'stationName', render: (v: string, o: OrderView) => v ?? o.stationId, width: 110 },
    { key: 'charger', title: t('charger'), dataIndex: 'chargerId', width: 190, render: (v: string) => <span style={{ fontFamily: 'monospace' }}>{v}</span> },
    { key: 'gun', title: t('charger.gun'), dataIndex: 'connectorId', width: 60 },
    { key: 'soc', title: t('order.soc'), width: 70, render: (_: unknown, o: OrderView) => (o.socEnd != null ? `${o.socEnd}%` : '-') },
    { key: 'start', title: t('order.start'), dataIndex: 'startTime', render: fmtTime, width: 165 },
    { key: 'end', title: t('order.end'), dataIndex: 'endTime', render: fmtTime, width: 165 },
    { key: 'card', title: t('order.card'), dataIndex: 'card', width: 110, render: (v: string | null) => v ?? '-' },
    { key: 'energy', title: t('order.energy'), dataIndex: 'energyKwh', width: 90, align: 'right' as const },
    { key: 'payment', title: t('order.payment'), dataIndex: 'paymentMethod', width: 90, render: (v: string | null) => (v ? t(`pay.${v}`, { defaultValue: v }) : '-') },
    { key: 'duration', title: t('order.duration'), width: 110, render: (_: unknown, o: OrderView) => fmtDuration(durationOf(o), lang) },
    { key: 'amount', title: t('order.amount'), dataIndex: 'totalAmount', width: 90, align: 'right' as const, render: (v: string) => <b>{v}</b> },
    { key: 'user', title: t('order.user'), width: 140, render: (_: unknown, o: OrderView) => (o.driver ? `${o.driver.name ?? ''} ${o.driver.phone}` : '-') },
    { key: 'abnormal', title: t('order.abnormal'), dataIndex: 'abnormal', width: 70, render: (v: boolean) => (v ? <Tag color="red">{t('common.yes')}</Tag> : t('common.no')) },
    { key: 'status', title: t('common.status'), dataIndex: 'status', width: 90, render: (v: string) => <Tag color={statusColor[v]}>{t(`ost.${v}`, { defaultValue: v })}</Tag> },
    { key: 'periods', title: t('order.periods'), width: 190, render: (_: unknown, o: OrderView) => <span data-testid="period-amounts">{periodAmounts(o, t)}</span> },
  ];
}

/** Shown until the user chooses (about 1,100 px: fits a 1,134 px page without scrolling). */
export const DEFAULT_ORDER_COLUMNS = ['orderNo', 'station', 'start', 'energy', 'amount', 'user', 'status', 'periods'];
