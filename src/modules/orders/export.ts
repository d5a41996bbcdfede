/**
 * CSV and XLSX exports with the columns the operator's staff use (case 3), in the operator's local
 * time, figures of the latest version — the same strings the API shows.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { periodSummary } from '../notify/index.ts';
import { orderView, type OrderRow, type OrderView } from './view.ts';

const PAYMENT: Record<OrderView['paymentMethod'], string> = { wallet: '个人支付', enterprise: '企业支付', partner: '合作方', card: '刷卡' };
const STATUS: Record<OrderView['status'], string> = { idle: '占位中', held: '异常待审', settled: '已结算' };

export const COLUMNS = [
  ['station', '站点'],
  ['charger', '充电桩'],
  ['gun', '枪号'],
  ['soc', 'SoC'],
  ['start', '开始时间'],
  ['end', '结束时间'],
  ['card', '卡号'],
  ['energy', '电量(kWh)'],
  ['payment', '支付方式'],
  ['duration', '充电时长'],
  ['amount', '金额(元)'],
  ['user', '用户'],
  ['orderNo', '订单号'],
  ['abnormal', '异常'],
  ['status', '状态'],
  ['periods', '分时金额'],
  ['electricity', '电费(元)'],
  ['service', '服务费(元)'],
  ['idleFee', '占位费(元)'],
  ['phone', '手机号'],
  ['partnerOrderNo', '合作方订单号'],
  ['version', '版本'],
  ['reasons', '异常原因'],
] as const;
type Key = (typeof COLUMNS)[number][0];

export function localTime(d: string | null, timeZone: string): string {
  if (!d) return '-';
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return f.format(new Date(d));
}

/** 3785 → "1小时3分5秒", 2220 → "37分", 0 → "0秒" */
export function durationText(seconds: number | null): string {
  if (seconds === null) return '-';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const out = `${h ? `${h}小时` : ''}${m ? `${m}分` : ''}${s || (!h && !m) ? `${s}秒` : ''}`;
  return out;
}

export function exportRecord(v: OrderView, timeZone: string): Record<Key, string> {
  return {
    station: v.stationName ?? v.stationId ?? '-',
    charger: v.chargerId,
    gun: String(v.connectorId),
    soc: v.socEnd === null ? '-' : `${v.socEnd}%`,
    start: localTime(v.startTime, timeZone),
    end: localTime(v.endTime, timeZone),
    card: v.card ?? '-',
    energy: v.energyKwh,
    payment: v.paymentMethod === 'partner' && v.partnerId ? `${PAYMENT.partner}(${v.partnerId})` : PAYMENT[v.paymentMethod],
    duration: durationText(v.durationSeconds),
    amount: v.totalAmount,
    user: v.driver?.name ?? v.driver?.phone ?? '-',
    orderNo: v.orderNo,
    abnormal: v.abnormal ? '是' : '否',
    status: STATUS[v.status],
    periods: periodSummary(v.periods),
    electricity: v.electricityAmount,
    service: v.serviceAmount,
    idleFee: v.idleFee,
    phone: v.driver?.phone ?? '-',
    partnerOrderNo: v.partnerOrderNo ?? '-',
    version: String(v.version),
    reasons: v.abnormalReasons.map((r) => r.message).join('; ') || '-',
  };
}

/** CSV with a UTF-8 BOM so Excel on Windows reads the Chinese headers. */
export async function toCsv(rows: AsyncIterable<OrderRow>, timeZone: string): Promise<string> {
  const out: string[][] = [COLUMNS.map((c) => c[1])];
  for await (const r of rows) {
    const rec = exportRecord(orderView(r), timeZone);
    out.push(COLUMNS.map((c) => rec[c[0]]));
  }
  return '\ufeff' + stringify(out);
}

const MONEY: Key[] = ['amount', 'electricity', 'service', 'idleFee', 'energy'];

export async function toXlsx(rows: AsyncIterable<OrderRow>, timeZone: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('订单');
  ws.columns = COLUMNS.map(([key, header]) => ({ key, header, width: key === 'orderNo' || key === 'start' || key === 'end' ? 22 : 14 }));
  for await (const r of rows) {
    const rec = exportRecord(orderView(r), timeZone);
    // amounts as numbers (staff sum them) with two decimals shown; they come from the exact strings
    const values: Record<string, unknown> = { ...rec };
    for (const k of MONEY) values[k] = Number(rec[k]);
    ws.addRow(values);
  }
  for (const k of MONEY) ws.getColumn(k).numFmt = '0.00';
  return Buffer.from(await wb.xlsx.writeBuffer());
}
